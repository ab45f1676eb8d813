using ECommerce.AppHost.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Coupon.Load;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>PostgreSQL stops (fast shutdown, every connection cut) half-way through a flash sale served by two coupon
/// instances and starts again seconds later. While it is down, a request is answered 503 with Retry-After — never 500 — and
/// the client retries it with the same Idempotency-Key; the consumers' retries and redeliveries outlast the outage, and the
/// relays resume publishing. Every invariant of the sale holds, no message is dead-lettered, no request accepted twice.</summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_flash_sale_survives_its_database_going_away_for_seconds()
    {
        var scale = FaultScale.Sale;
        await using var database = await PostgresCluster.StartAsync();
        await using var environment = await ServiceEnvironment.CreateAsync("db-outage", DatabaseKind.PostgreSql, output, ownDatabase: database);
        var first = await FlashSaleScenario.StartInstanceAsync(environment, "first", 0, 2);
        var second = await FlashSaleScenario.StartInstanceAsync(environment, "second", 1, 2);
        await Task.WhenAll(first.WaitHealthyAsync(TimeSpan.FromSeconds(120)), second.WaitHealthyAsync(TimeSpan.FromSeconds(120)));
        await FlashSaleScenario.WaitForIssuingConsumersAsync(environment, 2);

        using var firstApi = new CouponApi(first.BaseAddress, FlashSaleScenario.Concurrency);
        using var secondApi = new CouponApi(second.BaseAddress, FlashSaleScenario.Concurrency);
        var couponIds = await FlashSaleScenario.CreateCouponsAsync(firstApi, scale);
        var plan = FlashSalePlan.Create(scale.Users, scale.RequestsPerUser, scale.Coupons, FlashSaleScenario.Seed);
        environment.Log.Write($"[test] sending {plan.Count} requests from {scale.Users} users");

        Task? outage = null;
        var load = await LoadDriver.RunAsync(plan, couponIds,
            [new ServiceEndpoint("first", firstApi, () => !first.HasExited), new ServiceEndpoint("second", secondApi, () => !second.HasExited)],
            FlashSaleScenario.Concurrency,
            accepted =>
            {
                if (accepted != plan.Count / 2)
                    return;
                outage = Task.Run(async () =>
                {
                    environment.Log.Write($"[test] {accepted} accepted: stopping PostgreSQL");
                    await database.StopTemporarilyAsync();
                    var until = DateTime.UtcNow + Outage;
                    await Poll.UntilAsync(() => DateTime.UtcNow >= until, Outage + TimeSpan.FromSeconds(5), "the outage to last");
                    await database.StartAgainAsync();
                    environment.Log.Write("[test] PostgreSQL back");
                });
            });
        Assert.NotNull(outage);
        await outage;

        var answers = load.Outcomes.SelectMany(o => o.Failures).GroupBy(f => f[(f.IndexOf(':', StringComparison.Ordinal) + 2)..])
            .ToDictionary(g => g.Key, g => g.Count());
        environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s; refused or failed attempts: " +
            string.Join(", ", answers.Select(a => $"{a.Value} × {a.Key}")));
        Assert.Equal(0, load.UnexpectedAnswers);
        Assert.True(answers.GetValueOrDefault("HTTP 503") > 0, "no request met the outage");
        Assert.Equal(["HTTP 503"], answers.Keys.Where(k => k.StartsWith("HTTP", StringComparison.Ordinal)));

        await FlashSaleScenario.WaitUntilDecidedAsync(environment, plan.Count, [first, second]);
        var verdict = await FlashSaleScenario.VerifyAsync(environment, scale, plan, load, couponIds, firstApi);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());
        Assert.False(first.HasExited || second.HasExited, "an instance died with the database");
    }
}
