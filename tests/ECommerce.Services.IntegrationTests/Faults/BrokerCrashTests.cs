using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>The broker dies (SIGKILL, no shutdown) half-way through a flash sale served by two coupon instances, and comes
/// back a few seconds later with its log: every record it had acknowledged, the group's committed offsets. Meanwhile the
/// services keep accepting requests into their databases (the outbox holds what cannot be produced; the relay's producer
/// waits for the broker rather than give a record up); afterwards the producers, the consumers and the group find the broker
/// again by themselves. Every invariant of the sale must hold: nothing lost, nothing decided twice.</summary>
public sealed class BrokerCrashTests(ITestOutputHelper output)
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    /// <summary>Two short retry tiers (0.5 s, 1 s) instead of the default 1 s, 5 s, 15 s: the poison records produced after the
    /// crash go the whole failure path (retry topics, dead-letter topic, dead-letter table) in seconds.</summary>
    static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal)
    {
        ["Messaging__RedeliveryIntervals__0"] = "00:00:00.500",
        ["Messaging__RedeliveryIntervals__1"] = "00:00:01",
    };

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_flash_sale_survives_a_broker_crash_and_restart(DatabaseKind database)
    {
        await using var broker = await KafkaNode.StartAsync(Brokers.Options());
        await using var environment = await ServiceEnvironment.CreateAsync("broker-crash", database, output, ownBroker: broker);
        using var sale = await TwoInstanceSale.StartAsync(environment, Settings);

        Task? crash = null;
        var brokerPid = broker.Pid;
        var killedAt = DateTimeOffset.MaxValue;
        var backAt = DateTimeOffset.MaxValue;
        var load = await sale.RunAsync(accepted =>
        {
            if (accepted != sale.Plan.Count / 2)
                return;
            crash = Task.Run(async () =>
            {
                environment.Log.Write($"[test] {accepted} accepted: killing the broker (pid {broker.Pid}) with SIGKILL");
                killedAt = DateTimeOffset.UtcNow;
                await broker.KillAsync();
                // The outage is timed without a sleep: wait for the clock while the load keeps running.
                var until = DateTime.UtcNow + Outage;
                await Poll.UntilAsync(() => DateTime.UtcNow >= until, Outage + TimeSpan.FromSeconds(5), "the outage to last");
                await broker.StartAgainAsync();
                backAt = DateTimeOffset.UtcNow;
                environment.Log.Write($"[test] broker back (pid {broker.Pid})");
            });
        });
        Assert.NotNull(crash);
        await crash;
        Assert.NotEqual(brokerPid, broker.Pid);
        // The crash cut through the sale: decisions before it, and decisions of requests accepted while it was down.
        var requests = await sale.FinishThroughFaultAsync(load, killedAt, "the broker");
        Assert.Contains(requests, r => r.AcceptedAt > killedAt && r.AcceptedAt < backAt);

        // The failure path recovered too: records that can never be applied go through the group's retry topics and are
        // dead-lettered, as before the crash.
        var poisons = await PoisonPublisher.PublishAsync(environment, sale.CouponIds, 20);
        var tables = await FlashSaleScenario.TablesAsync(environment);
        IReadOnlyList<Guid> dead = [];
        await Poll.UntilAsync(async _ => (dead = await tables.DeadLetterMessageIdsAsync()).Count >= poisons.Count
                || sale.First.HasExited || sale.Second.HasExited, TimeSpan.FromMinutes(2),
            $"the {poisons.Count} poison messages published after the crash to be dead-lettered", interval: TimeSpan.FromMilliseconds(500));
        foreach (var instance in new[] { sale.First, sale.Second })
            Assert.False(instance.HasExited, $"{instance.Name} died after the crash:{Environment.NewLine}{instance.RecentOutput}");
        Assert.Equal(poisons.Order(), dead.Order());
    }
}
