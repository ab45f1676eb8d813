using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Log;
using ECommerce.DataPlatform.Projections;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Replay;

/// <summary>Carries out the pending replay requests, all at once, for the lease holder between two batches of the live ingest
/// (which waits meanwhile): so the rebuilt projections cover exactly the records the live ones do, up to the offsets applied
/// so far, and are swapped in, with the lease check, in one transaction.</summary>
public sealed partial class ReplayRunner(
    IServiceScopeFactory scopes,
    ProjectionRebuilder rebuilder,
    IngestLease lease,
    DataPlatformOptions options,
    TimeProvider clock,
    ILogger<ReplayRunner> logger)
{
    const int MaxError = 2000;

    public async Task<bool> AnyPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>().Replays
            .AnyAsync(r => r.Status == ReplayStatus.Pending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays up to <paramref name="applied"/> (each partition's last applied offset). <paramref name="holdLease"/>
    /// renews the ingest lease; false when it was lost, and then so is the replay (the requests stay pending for the next
    /// holder).</summary>
    public async Task<bool> RunAsync(IReadOnlyDictionary<LogPartition, long> applied, Func<Task<bool>> holdLease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holdLease);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>();
        var pending = await db.Replays.Where(r => r.Status == ReplayStatus.Pending).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
            return true;

        LogReplayStarted(logger, pending.Count);
        var renewed = clock.GetUtcNow();
        async Task<bool> KeepLeaseAsync()
        {
            if (clock.GetUtcNow() - renewed < options.LeaseDuration / 3)
                return true;
            renewed = clock.GetUtcNow();
            return await holdLease().ConfigureAwait(false);
        }

        ProjectionDelta projections;
        long read;
        try
        {
            if (await rebuilder.RebuildAsync(db, applied, KeepLeaseAsync, cancellationToken).ConfigureAwait(false) is not { } rebuilt)
                return false;
            (projections, read) = rebuilt;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or Confluent.Kafka.KafkaException)
        {
            LogReplayFailed(logger, ex);
            foreach (var request in pending)
            {
                request.Status = ReplayStatus.Failed;
                request.CompletedAt = clock.GetUtcNow();
                request.Error = ex.Message.Length > MaxError ? ex.Message[..MaxError] : ex.Message;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await lease.RenewAsync(db, options.LeaseDuration, cancellationToken).ConfigureAwait(false))
            return false;

        await ProjectionStore.ReplaceAsync(db, projections, cancellationToken).ConfigureAwait(false);
        foreach (var request in pending)
        {
            request.Status = ReplayStatus.Completed;
            request.CompletedAt = clock.GetUtcNow();
            request.EventsReplayed = projections.EventsIngested;
            request.RecordsRead = read;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogReplayCompleted(logger, read, projections.EventsIngested);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay of {Requests} request(s) started")]
    static partial void LogReplayStarted(ILogger logger, int requests);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay completed: {Read} records read, {Events} distinct events")]
    static partial void LogReplayCompleted(ILogger logger, long read, long events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay failed")]
    static partial void LogReplayFailed(ILogger logger, Exception exception);
}
