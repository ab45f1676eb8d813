using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging.Inbox;

/// <summary>Deletes inbox rows older than <see cref="MessagingOptions.InboxRetention"/>, every
/// <see cref="MessagingOptions.InboxPurgeInterval"/>: without it the inbox grows by a row for every message every consumer
/// ever applied. Deletes go in chunks, oldest first, each its own short transaction, so a large first purge never holds the
/// database (on SQLite, its one write lock) for long. Every instance may purge; deleting rows another one deleted is a no-op.</summary>
public sealed partial class InboxJanitor(
    IServiceScopeFactory scopes,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<InboxJanitor> logger) : BackgroundService
{
    /// <summary>Rows one delete removes at most.</summary>
    public int ChunkSize { get; init; } = 2_000;

    /// <summary>Deletes every inbox row processed before now − <see cref="MessagingOptions.InboxRetention"/>; returns how many.</summary>
    public async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.InboxRetention;
        long total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            var deleted = await db.InboxMessages
                .Where(x => x.ProcessedAt < cutoff)
                .OrderBy(x => x.ProcessedAt)
                .Take(ChunkSize)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            total += deleted;
            if (deleted < ChunkSize)
                return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.InboxPurgeInterval, clock);
        do
        {
            try
            {
                var deleted = await PurgeAsync(stoppingToken).ConfigureAwait(false);
                if (deleted > 0)
                    LogPurged(logger, deleted, options.Value.InboxRetention);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed purge (database away) is tried again at the next interval; nothing depends on it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPurgeFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} inbox rows older than {Retention}")]
    static partial void LogPurged(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(LogLevel.Warning, "Inbox purge failed; trying again at the next interval")]
    static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
