using System.Diagnostics;
using System.Threading.Channels;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Users;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.Coupon.Issuing;

/// <summary>Records accepted issue requests with group commit: the requests that arrive while a transaction commits are
/// written together by the next one (each with its issue-requested and user-requested events in the outbox), and each
/// caller is answered once the transaction holding its request has committed.
/// <para>A flash sale is thousands of tiny writes racing for one database. One transaction per request makes them queue for
/// SQLite's single write lock (whose busy handler waits by sleeping, so the queue is mostly idle) or for PostgreSQL's commit
/// flush; one writer committing whatever has gathered turns that queue into batches and leaves the lock free for the relay
/// and the issuing consumer. First come, first served is unaffected: a request answered before another was sent committed
/// in an earlier transaction, so it is numbered first; requests of one batch were all in flight together, and any order
/// among them is first come, first served.</para></summary>
public sealed partial class IssueRequestWriter(IServiceScopeFactory scopes, IOptions<IssuingOptions> options, ILogger<IssueRequestWriter> logger)
    : BackgroundService
{
    readonly Channel<Acceptance> _queue = Channel.CreateUnbounded<Acceptance>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Records <paramref name="request"/> (Pending) and its events; completes when they are committed. Throws what the
    /// database threw, e.g. a <see cref="DbUpdateException"/> when the request's Idempotency-Key was taken meanwhile.</summary>
    public Task AcceptAsync(IssueRequestEntity request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var acceptance = new Acceptance(request, Activity.Current);
        if (!_queue.Writer.TryWrite(acceptance))
            throw new InvalidOperationException("The issue request writer has stopped.");
        // A caller that gives up still has its request written (it was accepted into the batch); a retry with the same
        // Idempotency-Key finds it.
        return acceptance.Committed.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Acceptance>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < options.Value.AcceptBatchSize && _queue.Reader.TryRead(out var next))
                    batch.Add(next);
                await WriteAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            // Requests that arrived during shutdown are not written: their callers get an error, not a lost request.
            while (_queue.Reader.TryRead(out var left))
                left.Committed.TrySetException(new OperationCanceledException("The coupon service is stopping."));
        }
    }

    async Task WriteAsync(List<Acceptance> batch, CancellationToken cancellationToken)
    {
        try
        {
            await SaveAsync(batch, cancellationToken).ConfigureAwait(false);
            foreach (var acceptance in batch)
                acceptance.Committed.TrySetResult();
        }
        catch (DbUpdateException) when (batch.Count > 1)
        {
            // One request's Idempotency-Key was taken (by a concurrent retry): write each on its own, so only that one fails.
            LogBatchConflict(logger, batch.Count);
            foreach (var acceptance in batch)
                await WriteAsync([acceptance], cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure goes to the callers, whose error handling answers it (e.g. 503 when overloaded).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var acceptance in batch)
                acceptance.Committed.TrySetException(ex);
        }
    }

    async Task SaveAsync(List<Acceptance> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CouponDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var writerActivity = Activity.Current;
        try
        {
            foreach (var (request, activity) in batch)
            {
                // The outbox keeps the current trace context with each event, so the decision's trace continues the request's.
                Activity.Current = activity;
                db.IssueRequests.Add(request);
                outbox.Add(new CouponIssueRequested(request.Id, request.CouponId, request.UserId, request.AcceptedAt));
                outbox.Add(new UserRequestedCoupon(request.UserId, request.CouponId, request.Id, request.AcceptedAt));
            }
        }
        finally
        {
            Activity.Current = writerActivity;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    sealed record Acceptance(IssueRequestEntity Request, Activity? Activity)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(LogLevel.Information, "A batch of {Count} issue requests hit a unique key; writing them one by one")]
    static partial void LogBatchConflict(ILogger logger, int count);
}
