using System.Data.Common;
using ECommerce.Contracts.Orders;
using ECommerce.Order.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.Order.Sagas;

/// <summary>Raises <see cref="OrderTimeoutExpired"/> for every saga past its deadline, through the outbox. Claiming a deadline
/// clears it with a conditional update in the same transaction as the outbox row, so each deadline raises one timeout even
/// with several service instances sweeping; a saga that finished in the meantime has no deadline left to claim. (MassTransit's
/// <c>Schedule</c> needs a message scheduler, which Kafka does not have: a deadline in the saga's own table needs none.)</summary>
public sealed partial class OrderTimeoutSweeper(IServiceScopeFactory scopes, TimeProvider clock, IOptions<OrderOptions> options,
    ILogger<OrderTimeoutSweeper> logger) : BackgroundService
{
    const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await SweepAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception ex) when (ex is DbException or DbUpdateException or TimeoutException)
            {
                LogSweepFailed(logger, ex);
            }
        }
    }

    /// <summary>One batch: returns how many overdue sagas it found.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var now = clock.GetUtcNow();
        var due = await db.OrderSagas.AsNoTracking()
            .Where(s => s.TimeoutAt != null && s.TimeoutAt <= now)
            .OrderBy(s => s.TimeoutAt)
            .Select(s => new { s.CorrelationId, s.TimeoutAt })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
            return 0;

        var strategy = db.Database.CreateExecutionStrategy();
        var raised = await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var count = 0;
            foreach (var saga in due)
            {
                var claimed = await db.OrderSagas.Where(s => s.CorrelationId == saga.CorrelationId && s.TimeoutAt == saga.TimeoutAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.TimeoutAt, (DateTimeOffset?)null), ct);
                if (claimed == 0)
                    continue;
                outbox.Add(new OrderTimeoutExpired(saga.CorrelationId, now));
                count++;
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return count;
        }, cancellationToken);

        if (raised > 0)
            LogRaised(logger, raised);
        return due.Count;
    }

    [LoggerMessage(LogLevel.Information, "Raised {Count} order timeout(s)")]
    static partial void LogRaised(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "Order timeout sweep failed; retrying at the next tick")]
    static partial void LogSweepFailed(ILogger logger, Exception exception);
}
