using System.Diagnostics;
using System.Net;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon.Load;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>A flash sale on two instances of the coupon service, sharing one database and one consumer group, which splits the
/// coupon-issue partitions between them: thousands of concurrent requests, each user asking twice, over coupons with far less stock than demand. Every
/// coupon must issue exactly its stock (never more), each user at most once per coupon, to the first distinct users in
/// acceptance order, and every request must end Issued or Rejected with the right reason.</summary>
public sealed class FlashSaleTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Two_instances_issue_exactly_the_stock_first_come_first_served(DatabaseKind database)
    {
        var scale = FlashSaleScenario.ScaleFor(database);
        await using var environment = await ServiceEnvironment.CreateAsync("flash", database, output);
        // Started together: the group protocol splits the partitions between them.
        var instances = await Task.WhenAll(FlashSaleScenario.StartInstanceAsync(environment, "a"), FlashSaleScenario.StartInstanceAsync(environment, "b"));
        await Task.WhenAll(instances.Select(i => i.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, instances);

        using var apiA = new CouponApi(instances[0].BaseAddress, FlashSaleScenario.Concurrency);
        using var apiB = new CouponApi(instances[1].BaseAddress, FlashSaleScenario.Concurrency);
        // Each coupon on a partition of its own: the sale spreads over three of the four partitions, so over both instances.
        var couponIds = await FlashSaleScenario.CreateCouponsAsync(environment, apiA, scale);
        var plan = FlashSalePlan.Create(scale.Users, scale.RequestsPerUser, scale.Coupons, FlashSaleScenario.Seed);
        environment.Log.Write($"[test] sending {plan.Count} requests from {scale.Users} users, {FlashSaleScenario.Concurrency} at a time");

        var clock = Stopwatch.StartNew();
        var load = await LoadDriver.RunAsync(plan, couponIds,
            [new ServiceEndpoint("a", apiA, () => !instances[0].HasExited), new ServiceEndpoint("b", apiB, () => !instances[1].HasExited)],
            FlashSaleScenario.Concurrency);
        environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s " +
            $"({load.Accepted / load.Elapsed.TotalSeconds:0}/s); {load.TransportFailures} transport failures, {load.UnexpectedAnswers} unexpected answers");
        await FlashSaleScenario.WaitUntilDecidedAsync(environment, plan.Count, instances);
        environment.Log.Write($"[test] sale over {clock.Elapsed.TotalSeconds:0.0} s after the first request");

        var verdict = await FlashSaleScenario.VerifyAsync(environment, scale, plan, load, couponIds, apiB);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());
        // Nothing failed on the way: no instance was lost, so no request needed a second attempt.
        Assert.Equal(0, load.TransportFailures);
        Assert.Equal(0, load.Retried);
        // Both instances took requests, and the first two coupons really were oversubscribed and sold out.
        Assert.All(new[] { "a", "b" }, name => Assert.Contains(load.Outcomes, o => o.AcceptedBy == name));
        Assert.All(verdict.Tallies.Take(2), t => Assert.True(t.DistinctUsers > t.Stock && t.Issued == t.Stock, t.ToString()));

        // Clients whose answers were lost retry after the sale, at the other instance as often as not, all at once: each gets
        // its first request back as it was accepted, and nothing new is recorded (the key's unique index finds the retry).
        var retries = Enumerable.Range(0, plan.Count).Where(i => load.Outcomes[i].RequestId is not null).Take(200).ToList();
        var answers = await Task.WhenAll(retries.Select(i => (i % 2 == 0 ? apiA : apiB).RequestAsync(couponIds[plan[i].Coupon], plan[i].UserId, plan[i].Key)));
        Assert.All(retries.Zip(answers), x =>
        {
            Assert.Equal(HttpStatusCode.Accepted, x.Second.StatusCode);
            Assert.Equal(load.Outcomes[x.First].RequestId, x.Second.RequestId);
            Assert.Equal("Pending", x.Second.RequestStatus);
        });
        var tables = await FlashSaleScenario.TablesAsync(environment);
        Assert.Equal(plan.Count, (await tables.RequestProgressAsync()).Accepted);
    }
}
