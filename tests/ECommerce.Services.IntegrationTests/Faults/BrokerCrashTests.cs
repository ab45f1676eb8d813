using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>The broker dies (SIGKILL, no shutdown) half-way through a flash sale served by two coupon instances, and comes
/// back a few seconds later with its durable queues and the persistent messages it had confirmed. Meanwhile the services
/// keep accepting requests into their databases (the outbox holds what cannot be published); afterwards the relays and the
/// consumers reconnect by themselves. Every invariant of the sale must hold: nothing lost, nothing decided twice.</summary>
public sealed class BrokerCrashTests(ITestOutputHelper output)
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_flash_sale_survives_a_broker_crash_and_restart(DatabaseKind database)
    {
        await using var broker = await RabbitMqNode.StartAsync();
        await using var environment = await ServiceEnvironment.CreateAsync("broker-crash", database, output, ownBroker: broker);
        using var sale = await TwoInstanceSale.StartAsync(environment);

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
                await broker.RestartAsync();
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

        // The failure path recovered too: messages that can never be applied are redelivered through the delay queues and
        // dead-lettered, as before the crash.
        var poisons = await PoisonPublisher.PublishAsync(environment.BrokerUri, sale.CouponIds, 20);
        var tables = await FlashSaleScenario.TablesAsync(environment);
        IReadOnlyList<Guid> dead = [];
        await Poll.UntilAsync(async _ => (dead = await tables.DeadLetterMessageIdsAsync()).Count >= poisons.Count, TimeSpan.FromMinutes(2),
            $"the {poisons.Count} poison messages published after the crash to be dead-lettered", interval: TimeSpan.FromMilliseconds(500));
        Assert.Equal(poisons.Order(), dead.Order());
    }
}
