using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>The relay's backlog gauge while full batches leave rows behind: the table is counted at most once a second (a
/// count scans it, and a growing backlog must not slow the relay that drains it); in between, the last count less what was
/// published since stands in.</summary>
public sealed class OutboxBacklogGaugeTests
{
    [Fact]
    public async Task A_full_batch_counts_the_backlog_at_most_once_a_second_and_estimates_in_between()
    {
        using var host = await SqliteHost<ComponentDbContext>.StartAsync("backlog");
        var settings = new MessagingOptions { OutboxBatchSize = 10 };
        var clock = new SteppedClock();
        var relay = host.BatchRelay(settings, new TakesEverything(), clock);

        await host.AddOutboxRowsAsync(100);
        Assert.Equal(10, await relay.RelayBatchAsync(settings, CancellationToken.None));
        Assert.Equal(100, relay.Backlog);

        // Rows added within the second are not seen: the gauge is the count less the 10 published.
        await host.AddOutboxRowsAsync(50);
        Assert.Equal(10, await relay.RelayBatchAsync(settings, CancellationToken.None));
        Assert.Equal(90, relay.Backlog);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, await relay.RelayBatchAsync(settings, CancellationToken.None));
        Assert.Equal(130, relay.Backlog);
        // Each pass within the second takes what it published off the count once.
        Assert.Equal(10, await relay.RelayBatchAsync(settings, CancellationToken.None));
        Assert.Equal(120, relay.Backlog);
        Assert.Equal(10, await relay.RelayBatchAsync(settings, CancellationToken.None));
        Assert.Equal(110, relay.Backlog);

        // A batch that is not full is the whole backlog, counted or not.
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ComponentDbContext>().OutboxMessages
                .Where(r => r.Sequence > 55).ExecuteDeleteAsync();
        Assert.Equal(5, await relay.RelayBatchAsync(settings, CancellationToken.None));
        Assert.Equal(5, relay.Backlog);
    }

    sealed class TakesEverything : IOutboxBatchPublisher
    {
        public Task WaitReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> Publish(
            IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken) =>
            Task.FromResult((rows.ToList(), new List<(OutboxMessage Row, Exception Error)>()));
    }

    /// <summary>A clock whose timestamps move only when told to.</summary>
    sealed class SteppedClock : TimeProvider
    {
        long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
