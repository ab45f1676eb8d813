using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Users;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.Coupon.Issuing;

/// <summary>Records accepted issue requests with group commit (see <see cref="GroupCommitWriter{TItem,TResult}"/>): each
/// request Pending, with its issue-requested and user-requested events in the outbox.
/// <para>First come, first served is unaffected: a request answered before another was sent committed in an earlier
/// transaction, so it is numbered first; requests of one batch were all in flight together, any order among them is first
/// come, first served, and they are numbered in the order they were added.</para></summary>
public sealed class IssueRequestWriter(IServiceScopeFactory scopes, IOptions<IssuingOptions> options, TimeProvider clock,
    ILogger<IssueRequestWriter> logger)
    : GroupCommitWriter<IssueRequestEntity, bool>(logger)
{
    protected override int MaxBatch => options.Value.AcceptBatchSize;

    /// <summary>Records <paramref name="request"/> and its events; completes when they are committed. Throws what the database
    /// threw, e.g. a DbUpdateException when the request's Idempotency-Key was taken meanwhile.</summary>
    public Task AcceptAsync(IssueRequestEntity request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EnqueueAsync(request, cancellationToken);
    }

    protected override async Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<Queued> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CouponDbContext>();
        var events = new List<OutboxMessage>(batch.Count * 2);
        var now = clock.GetUtcNow();
        foreach (var (request, activity) in batch)
        {
            // Each event carries its own request's trace context, so the decision's trace continues the request's.
            events.Add(OutboxBatch.Row(new CouponIssueRequested(request.Id, request.CouponId, request.UserId, request.AcceptedAt), now, activity));
            events.Add(OutboxBatch.Row(new UserRequestedCoupon(request.UserId, request.CouponId, request.Id, request.AcceptedAt), now, activity));
        }

        // The requests and their events in one statement each rather than as tracked entities: a full batch is 1,500 rows.
        var requests = new AcceptedRequestBatch(db.Database.IsNpgsql(), batch.Select(q => q.Item).ToList());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await requests.SaveAsync(db, cancellationToken).ConfigureAwait(false);
        await OutboxBatch.InsertAsync(db, events, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new bool[batch.Count];
    }
}
