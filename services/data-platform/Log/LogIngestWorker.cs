using System.Globalization;
using System.Threading.Channels;
using Confluent.Kafka;
using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Replay;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Log;

/// <summary>The live ingest: while this instance holds the lease, reads every partition of the domain topics from the offset
/// after the one stored for it (the beginning when none is) and applies what arrives in batches, each one transaction that
/// also stores the partitions' new offsets and renews the lease. A crash loses nothing and counts nothing twice: a batch
/// either committed with its offsets or did not happen, and the next reader starts after the last committed offset. Between
/// batches it carries out replay requests.</summary>
public sealed partial class LogIngestWorker(
    IServiceScopeFactory scopes,
    DomainLog log,
    LogIngestor ingestor,
    IngestLease lease,
    ReplayRunner replays,
    DataPlatformOptions options,
    TimeProvider clock,
    ILogger<LogIngestWorker> logger) : BackgroundService
{
    static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan ReplayPoll = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await HoldLeaseAsync(stoppingToken).ConfigureAwait(false))
                    await IngestAsync(stoppingToken).ConfigureAwait(false);
                else
                    await Task.Delay(options.LeaseDuration / 3, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The ingest must outlive any single failure (database or broker down): it starts over from the stored offsets.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogIngestFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ConfigureAwait(false);
            }
        }

        await ReleaseLeaseAsync().ConfigureAwait(false);
    }

    /// <summary>One reading session, from the stored offsets, until the lease is lost or a replay is requested. A replay runs
    /// with the reader closed (it may take minutes, and the live ingest waits meanwhile); the next session resumes after it.</summary>
    async Task IngestAsync(CancellationToken stoppingToken)
    {
        var partitions = await log.PartitionsAsync(stoppingToken).ConfigureAwait(false);
        // Creating topics and reading metadata take a while on a cold start: renew before reading from the offsets, which only
        // this holder advances.
        if (!await HoldLeaseAsync(stoppingToken).ConfigureAwait(false))
            return;
        var applied = await LoadOffsetsAsync(stoppingToken).ConfigureAwait(false);
        var from = partitions.Select(p => (p, applied.TryGetValue(p, out var done) ? new Offset(done + 1) : Offset.Beginning)).ToList();
        bool replayDue;
        using (var reader = log.Open(from, options.BatchSize * 2))
        {
            LogReading(logger, partitions.Count, partitions.Count(applied.ContainsKey));
            if (await ReadAsync(reader, partitions, applied, stoppingToken).ConfigureAwait(false) is not { } replay)
                return;
            replayDue = replay;
        }

        if (replayDue && !await replays.RunAsync(applied, () => HoldLeaseAsync(stoppingToken), stoppingToken).ConfigureAwait(false))
            LogLeaseLost(logger);
    }

    /// <summary>Applies batches until a replay is due (true), or the lease is lost or the reader stalled (null: the session
    /// ends). <paramref name="applied"/> follows what committed: each partition's last applied offset, the bound of a replay.</summary>
    async Task<bool?> ReadAsync(LogReader reader, IReadOnlyList<LogPartition> partitions, Dictionary<LogPartition, long> applied,
        CancellationToken stoppingToken)
    {
        var renewed = clock.GetUtcNow();
        var progressed = renewed;
        var nextReplayCheck = DateTimeOffset.MinValue;
        var batch = new List<LogItem>(options.BatchSize);
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            await NextBatchAsync(reader.Items, batch, stoppingToken).ConfigureAwait(false);
            if (batch.Count > 0)
            {
                if (!await ApplyAsync(batch, stoppingToken).ConfigureAwait(false))
                    return null;
                foreach (var item in batch)
                    applied[item.Partition] = item.Offset;
                renewed = progressed = clock.GetUtcNow();
            }

            var now = clock.GetUtcNow();
            if (now - renewed > options.LeaseDuration / 3)
            {
                if (!await HoldLeaseAsync(stoppingToken).ConfigureAwait(false))
                {
                    LogLeaseLost(logger);
                    return null;
                }

                renewed = now;
            }

            if (now - progressed >= options.ReaderStallTimeout)
            {
                progressed = now;
                // Every record below a partition's end offset is committed and readable: a reader that delivers none of them is stuck.
                var unread = (await log.BacklogAsync(partitions, applied, stoppingToken).ConfigureAwait(false)).Where(b => b.Unread > 0).ToList();
                if (unread.Count > 0)
                {
                    LogReaderStalled(logger, options.ReaderStallTimeout.TotalSeconds,
                        string.Join(", ", unread.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Partition.Name} {b.Next}..{b.End - 1}"))),
                        reader.Describe());
                    return null;
                }
            }

            if (now >= nextReplayCheck)
            {
                nextReplayCheck = now + ReplayPoll;
                if (await replays.AnyPendingAsync(stoppingToken).ConfigureAwait(false))
                    return true;
            }
        }
    }

    /// <summary>Waits a moment for the first item, then takes whatever else is already there, up to a batch.</summary>
    async Task NextBatchAsync(ChannelReader<LogItem> reader, List<LogItem> batch, CancellationToken stoppingToken)
    {
        batch.Clear();
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            wait.CancelAfter(IdleWait);
            try
            {
                // False only if the reader stopped without a failure, which it does only when disposed.
                if (!await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                    throw new InvalidOperationException("The log reader stopped.");
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        while (batch.Count < options.BatchSize && reader.TryRead(out var item))
            batch.Add(item);
    }

    /// <summary>One transaction: the lease check, the events, the projections, the offsets. False when the lease was lost.</summary>
    async Task<bool> ApplyAsync(IReadOnlyList<LogItem> items, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken).ConfigureAwait(false);
        if (!await lease.RenewAsync(db, options.LeaseDuration, stoppingToken).ConfigureAwait(false))
        {
            LogLeaseLost(logger);
            return false;
        }

        var spans = IngestTracing.Start(items);
        try
        {
            await ingestor.ApplyAsync(db, items, stoppingToken).ConfigureAwait(false);
            await transaction.CommitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            IngestTracing.Finish(spans, e);
            throw;
        }

        IngestTracing.Finish(spans, null);
        return true;
    }

    async Task<Dictionary<LogPartition, long>> LoadOffsetsAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await LogIngestor.AppliedOffsetsAsync(scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>(), stoppingToken).ConfigureAwait(false);
    }

    async Task<bool> HoldLeaseAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await lease.TryAcquireAsync(scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>(), options.LeaseDuration, stoppingToken)
            .ConfigureAwait(false);
    }

    async Task ReleaseLeaseAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await lease.ReleaseAsync(scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>(), timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort at shutdown: an unreleased lease just expires.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReleaseFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading the domain topics: {Partitions} partitions, {Resumed} resumed from a stored offset")]
    static partial void LogReading(ILogger logger, int partitions, int resumed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The log reader delivered nothing for {Seconds} s while the log holds unread records ({Unread}); reopening it from the stored offsets. Reader: {Reader}")]
    static partial void LogReaderStalled(ILogger logger, double seconds, string unread, string reader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log ingest failed; starting over from the stored offsets")]
    static partial void LogIngestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ingest lease was taken over by another instance; this one stops reading the log")]
    static partial void LogLeaseLost(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the ingest lease")]
    static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
