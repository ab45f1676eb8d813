using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Group commit for a hot write path: the items that arrive while a transaction commits are written together by the
/// next one (up to <see cref="MaxBatch"/>), and each caller is answered once the transaction holding its item committed.
/// <para>A burst of tiny writes, one transaction each, queues for SQLite's single write lock (whose busy handler waits by
/// sleeping, so the queue is mostly idle) or for PostgreSQL's commit flush. One writer committing whatever has gathered turns
/// that queue into batches. Items are handed to <see cref="CommitAsync"/> in arrival order.</para>
/// <para>When a batch hits a unique key (an Idempotency-Key taken by a concurrent retry) its items are written one by one, so
/// only the conflicting one fails; any other failure goes to every caller of the batch, whose error handling answers it
/// (503 when the database is overloaded). Items still queued at shutdown, and items offered after it, are refused with a
/// <see cref="WriterStoppedException"/> (a 503), never silently dropped.</para></summary>
public abstract partial class GroupCommitWriter<TItem, TResult>(ILogger logger) : BackgroundService
{
    readonly Channel<Queued> _queue = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The most items one transaction writes.</summary>
    protected abstract int MaxBatch { get; }

    /// <summary>Writes <paramref name="batch"/> in one transaction and returns each item's result, in batch order. An item's
    /// <see cref="Queued.Activity"/> is its caller's trace context, to be made current while its outbox rows are added.</summary>
    protected abstract Task<IReadOnlyList<TResult>> CommitAsync(IReadOnlyList<Queued> batch, CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="item"/>; completes with its result once committed, or throws what the database threw.
    /// A caller that gives up still has its item written if it is already in the batch being committed; a retry with the
    /// same Idempotency-Key finds it.</summary>
    protected Task<TResult> EnqueueAsync(TItem item, CancellationToken cancellationToken)
    {
        var queued = new Queued(item, Activity.Current);
        if (!_queue.Writer.TryWrite(queued))
            throw new WriterStoppedException();
        return queued.Committed.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Queued>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
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
            while (_queue.Reader.TryRead(out var left))
                left.Committed.TrySetException(new WriterStoppedException());
        }
    }

    async Task WriteAsync(List<Queued> batch, CancellationToken cancellationToken)
    {
        try
        {
            var results = await CommitAsync(batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
                batch[i].Committed.TrySetResult(results[i]);
        }
        catch (DbUpdateException) when (batch.Count > 1)
        {
            LogBatchConflict(logger, GetType().Name, batch.Count);
            foreach (var queued in batch)
                await WriteAsync([queued], cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure goes to the callers, whose error handling answers it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var queued in batch)
                queued.Committed.TrySetException(ex);
        }
    }

    /// <summary>An item waiting for its transaction, with its caller's trace context.</summary>
    protected sealed record Queued(TItem Item, Activity? Activity)
    {
        internal TaskCompletionSource<TResult> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(LogLevel.Information, "{Writer}: a batch of {Count} hit a unique key; writing them one by one")]
    static partial void LogBatchConflict(ILogger logger, string writer, int count);
}
