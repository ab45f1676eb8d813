using System.Text.Json;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Coupon.Load;
using ECommerce.Services.IntegrationTests.Faults;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>A consumer stopped and started again resumes exactly where its group committed. The only coupon instance runs the
/// first half of a flash sale; then a burst of marker records lands in the sale's partitions and the instance is stopped
/// (SIGTERM) while it works through them: it finishes the record in hand, commits what it handled and leaves. More markers are
/// produced while no member runs (the committed offsets stay where it left them), then the instance is started again and the
/// second half of the sale goes to it.
/// <para>The markers are issue-requested records of requests no database holds: the consumer cannot apply one, and forwards it
/// through the group's retry topic to its dead-letter topic and table, where the test counts them. Each must be dead-lettered
/// exactly once: a record handled before the stop and read again after it (a restart behind the commit) would be forwarded a
/// second time; one skipped (a commit ahead of what was handled) never. With the sale's positions 1..n without gaps (no
/// request decided twice or left out), the lag that /ops/consumers reports drains to 0 and the committed offsets never go
/// back.</para></summary>
public sealed class ConsumerRestartTests(ITestOutputHelper output)
{
    /// <summary>Markers produced just before the stop: enough that the consumer is still working through them when it stops (a
    /// marker costs the service tens of milliseconds: the failure is logged with its stack trace, the forward acknowledged).</summary>
    const int Burst = 300;

    /// <summary>Markers produced while the group has no member.</summary>
    const int WhileDown = 50;

    /// <summary>One retry tier of 200 ms: a marker is dead-lettered within a second instead of after the default tiers' 21 s.</summary>
    static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal) { ["Messaging__RedeliveryIntervals__0"] = "00:00:00.200" };

    [Fact]
    public async Task A_restarted_consumer_resumes_exactly_at_its_groups_committed_offsets()
    {
        await using var environment = await ServiceEnvironment.CreateAsync("resume", DatabaseKind.PostgreSql, output);
        var scale = FaultScale.Sale;
        var first = await FlashSaleScenario.StartInstanceAsync(environment, "first", Settings);
        await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, first);
        using var firstApi = new CouponApi(first.BaseAddress, FlashSaleScenario.Concurrency);
        var couponIds = await FlashSaleScenario.CreateCouponsAsync(environment, firstApi, scale);
        var plan = FlashSalePlan.Create(scale.Users, scale.RequestsPerUser, scale.Coupons, FlashSaleScenario.Seed);
        var half = plan.Count / 2;
        environment.Log.Write($"[test] sending the first {half} of {plan.Count} requests");
        var firstHalf = await LoadDriver.RunAsync(plan.Take(half).ToList(), couponIds,
            [new ServiceEndpoint("first", firstApi, () => !first.HasExited)], FlashSaleScenario.Concurrency);

        var burst = await PoisonPublisher.PublishAsync(environment, couponIds, Burst);
        environment.Log.Write($"[test] {firstHalf.Accepted} accepted, {Burst} markers produced: stopping the instance (SIGTERM)");
        var graceful = await first.StopAsync(TimeSpan.FromSeconds(30));
        var topics = (IReadOnlyList<string>)[Topics.CouponIssue];
        var atStop = await environment.Probe.PositionsAsync(FlashSaleScenario.Service, topics);
        environment.Log.Write("[test] stopped; coupon-issue committed/end: " + string.Join(", ", atStop.Select(p => $"[{p.Partition}] {p.Committed}/{p.End}")));

        // Produced while the group has no member: after the committed offsets, which nothing moves meanwhile.
        var whileDown = await PoisonPublisher.PublishAsync(environment, couponIds, WhileDown);
        var beforeRestart = await environment.Probe.PositionsAsync(FlashSaleScenario.Service, topics);
        Assert.Equal(atStop.Select(p => p.Committed), beforeRestart.Select(p => p.Committed));

        var restarted = await FlashSaleScenario.StartInstanceAsync(environment, "restarted", Settings);
        await restarted.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, restarted);
        using var restartedApi = new CouponApi(restarted.BaseAddress, FlashSaleScenario.Concurrency);
        environment.Log.Write($"[test] restarted; sending the other {plan.Count - half} requests");
        var secondHalf = await LoadDriver.RunAsync(plan.Skip(half).ToList(), couponIds,
            [new ServiceEndpoint("restarted", restartedApi, () => !restarted.HasExited)], FlashSaleScenario.Concurrency);
        var load = LoadResult.Concat(firstHalf, secondHalf);
        await FlashSaleScenario.WaitUntilDecidedAsync(environment, plan.Count, [restarted]);

        // Every marker dead-lettered exactly once: nothing before the commit read again, nothing after it skipped.
        var markers = burst.Concat(whileDown).ToList();
        var tables = await FlashSaleScenario.TablesAsync(environment);
        IReadOnlyList<Guid> dead = [];
        await Poll.UntilAsync(async _ => (dead = await tables.DeadLetterMessageIdsAsync()).Count >= markers.Count, TimeSpan.FromMinutes(2),
            $"the {markers.Count} markers to be dead-lettered", interval: TimeSpan.FromMilliseconds(250));
        Assert.Equal(markers.Order(), dead.Order());

        // The lag drains to 0 on every partition the group reads, all of them owned by the restarted instance.
        JsonElement lag = default;
        await Poll.UntilAsync(async _ =>
        {
            lag = await restartedApi.ConsumersAsync();
            var rows = lag.EnumerateArray().Where(r => r.GetProperty("group").GetString() == FlashSaleScenario.Service).ToList();
            return rows.Count > 0 && rows.All(r => r.GetProperty("ready").GetInt64() == 0 && r.GetProperty("consumers").GetInt64() == 1
                && restarted.IsClient(r.GetProperty("owner").GetString()));
        }, TimeSpan.FromSeconds(30), "/ops/consumers to report no lag, every partition owned by the restarted instance",
            interval: TimeSpan.FromMilliseconds(250));
        var atEnd = await environment.Probe.PositionsAsync(FlashSaleScenario.Service, topics);
        Assert.All(atStop.Zip(atEnd), p => Assert.True((p.Second.Committed ?? 0) >= (p.First.Committed ?? 0),
            $"coupon-issue[{p.First.Partition}]: committed {p.Second.Committed} after the restart, {p.First.Committed} at the stop"));
        Assert.All(atEnd, p => Assert.Equal(0, p.Lag));

        var verdict = await FlashSaleScenario.VerifyAsync(environment, scale, plan, load, couponIds, restartedApi, markers.Count);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());
        Assert.Equal(0, load.UnexpectedAnswers);
        Assert.Equal(0, load.TransportFailures);
        Assert.True(graceful, "the instance did not stop within its patience and was killed");
        // The stop really cut through work in hand: records were left after the commit for the restart to take up.
        Assert.True(atStop.Sum(p => p.Lag) > 0, "the instance had handled everything before it stopped: nothing to resume");
    }
}
