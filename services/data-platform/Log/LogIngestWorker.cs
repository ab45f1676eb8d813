using System.Threading.Channels;
using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Projections;
using ECommerce.DataPlatform.Replay;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;

namespace ECommerce.DataPlatform.Log;

/// <summary>The live ingest: reads every stream of the retained log from the offset after the one stored for it (the first
/// offset when none is) and applies what arrives in batches, each one transaction that also stores the streams' new offsets
/// and renews the lease. A crash loses nothing and counts nothing twice: a batch either committed with its offsets or did not
/// happen, and the next reader starts after the last committed offset. Between batches it carries out replay requests.</summary>
public sealed partial class LogIngestWorker(
    IServiceScopeFactory scopes,
    RetainedLog log,
    LogIngestor ingestor,
    IngestLease lease,
    ProjectionRebuilder rebuilder,
    DataPlatformOptions options,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<LogIngestWorker> logger) : BackgroundService
{
    static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan ReplayPoll = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var broker = MessagingExtensions.Broker(configuration);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await HoldLeaseAsync(stoppingToken).ConfigureAwait(false))
                    await IngestAsync(broker, stoppingToken).ConfigureAwait(false);
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

    async Task IngestAsync(BrokerAddress broker, CancellationToken stoppingToken)
    {
        var connection = await broker.ConnectAsync(broker.CreateFactory("data-platform-log"), stoppingToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await log.DeclareAsync(connection, stoppingToken).ConfigureAwait(false);
            // Declaring takes a while on a cold start: renew before reading from the offsets, which only this holder advances.
            if (!await HoldLeaseAsync(stoppingToken).ConfigureAwait(false))
                return;
            var offsets = await LoadOffsetsAsync(stoppingToken).ConfigureAwait(false);
            var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                await channel.BasicQosAsync(0, options.Prefetch, global: false, stoppingToken).ConfigureAwait(false);
                var items = Channel.CreateUnbounded<LogItem>(new UnboundedChannelOptions { SingleReader = true });
                foreach (var stream in log.Streams)
                {
                    object start = offsets.TryGetValue(stream.Queue, out var done) ? done + 1 : "first";
                    await new StreamConsumer(channel, stream, items.Writer).StartAsync(start, stoppingToken).ConfigureAwait(false);
                }

                LogReading(logger, log.Streams.Count, offsets.Count);
                var renewed = clock.GetUtcNow();
                var nextReplayCheck = DateTimeOffset.MinValue;
                var batch = new List<LogItem>(options.BatchSize);
                while (true)
                {
                    stoppingToken.ThrowIfCancellationRequested();
                    if (!channel.IsOpen)
                        throw new InvalidOperationException($"The log channel closed: {channel.CloseReason}");

                    await NextBatchAsync(items.Reader, batch, stoppingToken).ConfigureAwait(false);
                    // A consumer started at an offset may be handed the whole chunk that offset sits in.
                    var fresh = batch.Where(i => !offsets.TryGetValue(i.Stream.Queue, out var applied) || i.Offset > applied).ToList();
                    if (fresh.Count > 0)
                    {
                        if (!await ApplyAsync(fresh, stoppingToken).ConfigureAwait(false))
                            return;
                        foreach (var item in fresh)
                            offsets[item.Stream.Queue] = Math.Max(offsets.GetValueOrDefault(item.Stream.Queue, -1), item.Offset);
                        renewed = clock.GetUtcNow();
                    }

                    if (batch.Count > 0)
                        await channel.BasicAckAsync(batch[^1].DeliveryTag, multiple: true, stoppingToken).ConfigureAwait(false);

                    var now = clock.GetUtcNow();
                    if (now - renewed > options.LeaseDuration / 3)
                    {
                        if (!await HoldLeaseAsync(stoppingToken).ConfigureAwait(false))
                            return;
                        renewed = now;
                    }

                    if (now >= nextReplayCheck)
                    {
                        nextReplayCheck = now + ReplayPoll;
                        if (!await ReplayIfRequestedAsync(connection, offsets, stoppingToken).ConfigureAwait(false))
                            return;
                    }
                }
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
                await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
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

    /// <summary>Carries out every pending replay at once: the live ingest waits meanwhile, so the rebuilt projections cover exactly
    /// the records the live ones do (up to the offsets applied so far) and are swapped in, with the lease check, in one
    /// transaction. False when the lease was lost.</summary>
    async Task<bool> ReplayIfRequestedAsync(IConnection connection, IReadOnlyDictionary<string, long> offsets, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>();
        var pending = await db.Replays.Where(r => r.Status == ReplayStatus.Pending).ToListAsync(stoppingToken).ConfigureAwait(false);
        if (pending.Count == 0)
            return true;

        LogReplayStarted(logger, pending.Count);
        var renewed = clock.GetUtcNow();
        async Task<bool> KeepLeaseAsync()
        {
            if (clock.GetUtcNow() - renewed < options.LeaseDuration / 3)
                return true;
            renewed = clock.GetUtcNow();
            return await HoldLeaseAsync(stoppingToken).ConfigureAwait(false);
        }

        ProjectionDelta projections;
        long read;
        try
        {
            if (await rebuilder.RebuildAsync(connection, db, offsets, KeepLeaseAsync, stoppingToken).ConfigureAwait(false) is not { } rebuilt)
            {
                LogLeaseLost(logger);
                return false;
            }

            (projections, read) = rebuilt;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            LogReplayFailed(logger, ex);
            foreach (var request in pending)
            {
                request.Status = ReplayStatus.Failed;
                request.CompletedAt = clock.GetUtcNow();
                request.Error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            }

            await db.SaveChangesAsync(stoppingToken).ConfigureAwait(false);
            return true;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken).ConfigureAwait(false);
        if (!await lease.RenewAsync(db, options.LeaseDuration, stoppingToken).ConfigureAwait(false))
        {
            LogLeaseLost(logger);
            return false;
        }

        await ProjectionStore.ReplaceAsync(db, projections, stoppingToken).ConfigureAwait(false);
        foreach (var request in pending)
        {
            request.Status = ReplayStatus.Completed;
            request.CompletedAt = clock.GetUtcNow();
            request.EventsReplayed = projections.EventsIngested;
            request.RecordsRead = read;
        }

        await db.SaveChangesAsync(stoppingToken).ConfigureAwait(false);
        await transaction.CommitAsync(stoppingToken).ConfigureAwait(false);
        LogReplayCompleted(logger, read, projections.EventsIngested);
        return true;
    }

    async Task<Dictionary<string, long>> LoadOffsetsAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>();
        return await db.StreamOffsets.AsNoTracking().ToDictionaryAsync(o => o.Stream, o => o.Offset, StringComparer.Ordinal, stoppingToken)
            .ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading the retained log: {Streams} streams, {Resumed} resumed from a stored offset")]
    static partial void LogReading(ILogger logger, int streams, int resumed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log ingest failed; starting over from the stored offsets")]
    static partial void LogIngestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ingest lease was taken over by another instance; this one stops reading the log")]
    static partial void LogLeaseLost(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay of {Requests} request(s) started")]
    static partial void LogReplayStarted(ILogger logger, int requests);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay completed: {Read} records read, {Events} distinct events")]
    static partial void LogReplayCompleted(ILogger logger, long read, long events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay failed")]
    static partial void LogReplayFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the ingest lease")]
    static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
