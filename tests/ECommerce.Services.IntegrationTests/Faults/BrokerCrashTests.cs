using ECommerce.AppHost.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Coupon.Load;
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
        var scale = FaultScale.Sale;
        await using var broker = await RabbitMqNode.StartAsync();
        await using var environment = await ServiceEnvironment.CreateAsync("broker-crash", database, output, ownBroker: broker);
        var first = await FlashSaleScenario.StartInstanceAsync(environment, "first", 0, 2);
        var second = await FlashSaleScenario.StartInstanceAsync(environment, "second", 1, 2);
        await Task.WhenAll(first.WaitHealthyAsync(TimeSpan.FromSeconds(120)), second.WaitHealthyAsync(TimeSpan.FromSeconds(120)));
        await FlashSaleScenario.WaitForIssuingConsumersAsync(environment, 2);

        using var firstApi = new CouponApi(first.BaseAddress, FlashSaleScenario.Concurrency);
        using var secondApi = new CouponApi(second.BaseAddress, FlashSaleScenario.Concurrency);
        var couponIds = await FlashSaleScenario.CreateCouponsAsync(firstApi, scale);
        var plan = FlashSalePlan.Create(scale.Users, scale.RequestsPerUser, scale.Coupons, FlashSaleScenario.Seed);
        environment.Log.Write($"[test] sending {plan.Count} requests from {scale.Users} users");

        Task? crash = null;
        var brokerPid = broker.Pid;
        var killedAt = DateTimeOffset.MaxValue;
        var backAt = DateTimeOffset.MaxValue;
        var load = await LoadDriver.RunAsync(plan, couponIds,
            [new ServiceEndpoint("first", firstApi, () => !first.HasExited), new ServiceEndpoint("second", secondApi, () => !second.HasExited)],
            FlashSaleScenario.Concurrency,
            accepted =>
            {
                if (accepted != plan.Count / 2)
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
        environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s; {load.UnexpectedAnswers} unexpected answers");

        await FlashSaleScenario.WaitUntilDecidedAsync(environment, plan.Count, [first, second]);
        var verdict = await FlashSaleScenario.VerifyAsync(environment, scale, plan, load, couponIds, firstApi);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());
        Assert.False(first.HasExited || second.HasExited, "an instance died with the broker");
        // The crash cut through the sale: decisions before it, and decisions of requests accepted while it was down.
        var requests = await (await FlashSaleScenario.TablesAsync(environment)).IssueRequestsAsync();
        Assert.Contains(requests, r => r.DecidedAt < killedAt);
        Assert.Contains(requests, r => r.AcceptedAt > killedAt && r.AcceptedAt < backAt);
        Assert.Equal(0, load.UnexpectedAnswers);
    }
}
