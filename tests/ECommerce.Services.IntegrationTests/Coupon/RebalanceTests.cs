using ECommerce.Services.IntegrationTests.Coupon.Load;
using ECommerce.Services.IntegrationTests.Faults;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>Rebalances in the middle of a flash sale (KIP-848's incremental protocol): the sale starts on one coupon instance,
/// which owns every partition; a second instance joins the group while requests pour in, and the coordinator moves half of
/// each topic's partitions to it (the first finishes the record in hand on each, commits and lets it go; the second reads on
/// from that commit); later the first instance leaves (a graceful stop: it finishes, commits and leaves the group) and the
/// second gets the rest at once, without waiting for a session timeout. The load follows the instances as a load balancer
/// would. Nothing may be lost or decided twice, and every coupon's first-come-first-served order must hold across both
/// hand-overs: every invariant of the sale, and on the coupon-issue topic one outcome per request, in each coupon's decision
/// order.
/// <para>The sale is paced (200 requests/s) and parts of it wait for the steps, so that each step happens while requests
/// flow however long an instance takes to start on a busy machine: requests from two fifths on wait until the second
/// instance has joined, from four fifths on until the first is leaving, the last tenth until it has left.</para>
/// <para>The test's broker assigns with the coordinator's range assignor, which splits every topic's partitions between the
/// members, so the join is sure to move partitions the sale uses. The suite's brokers keep Kafka's default (uniform), which
/// balances the count of partitions over all of a group's topics and moved whole topics here: a joining coupon instance got
/// coupon-commands, retry and dead-letter partitions but none of coupon-issue.</para></summary>
public sealed class RebalanceTests(ITestOutputHelper output)
{
    const double RequestsPerSecond = 200;

    [Fact]
    public async Task A_member_joining_and_one_leaving_mid_sale_move_partitions_and_lose_or_double_nothing()
    {
        await using var broker = await KafkaNode.StartAsync(Brokers.Options(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["group.consumer.assignors"] = "range",
        }));
        await using var environment = await ServiceEnvironment.CreateAsync("rebalance", DatabaseKind.PostgreSql, output, ownBroker: broker);
        var scale = FaultScale.Sale;
        var first = await FlashSaleScenario.StartInstanceAsync(environment, "first");
        await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, first);
        using var firstApi = new CouponApi(first.BaseAddress, FlashSaleScenario.Concurrency);
        var couponIds = await FlashSaleScenario.CreateCouponsAsync(environment, firstApi, scale);
        var salePartitions = couponIds.Select(id => FlashSaleScenario.PartitionOf(environment, id)).ToHashSet();
        var plan = FlashSalePlan.Create(scale.Users, scale.RequestsPerUser, scale.Coupons, FlashSaleScenario.Seed);

        var firstServing = true;
        var firstEndpoint = new ServiceEndpoint("first", firstApi, () => Volatile.Read(ref firstServing) && !first.HasExited);
        IReadOnlyList<ServiceEndpoint> endpoints = [firstEndpoint];
        ServiceProcess? second = null;
        CouponApi? secondApi = null;
        IReadOnlyDictionary<int, ServiceProcess> ownersAfterJoin = new Dictionary<int, ServiceProcess>();
        var (joinedAt, leavingAt, leftAt) = (DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);
        var graceful = false;
        var accepted = 0;
        Task? rebalances = null;
        var (joined, leaving, left) = (NewStep(), NewStep(), NewStep());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        environment.Log.Write($"[test] sending {plan.Count} requests from {scale.Users} users at {RequestsPerSecond}/s");
        try
        {
            var load = await LoadDriver.RunAsync(plan, couponIds, () => Volatile.Read(ref endpoints), FlashSaleScenario.Concurrency, count =>
            {
                Volatile.Write(ref accepted, count);
                if (count == plan.Count / 5)
                    rebalances = Task.Run(RebalanceAsync);
            }, BeforeSendAsync);
            Assert.NotNull(rebalances);
            await rebalances;
            environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s; {load.TransportFailures} transport " +
                $"failures, {load.UnexpectedAnswers} unexpected answers");

            await FlashSaleScenario.WaitUntilDecidedAsync(environment, plan.Count, [first, second!]);
            var verdict = await FlashSaleScenario.VerifyAsync(environment, scale, plan, load, couponIds, secondApi!);
            Assert.True(verdict.Violations.Count == 0, verdict.Describe());
            Assert.Equal(0, load.UnexpectedAnswers);
            Assert.True(graceful, "the first instance did not stop within its patience and was killed");

            // The join moved partitions the sale uses to the newcomer, and left the first instance some.
            Assert.Contains(ownersAfterJoin, o => o.Value == second && salePartitions.Contains(o.Key));
            Assert.Contains(ownersAfterJoin, o => o.Value == first && salePartitions.Contains(o.Key));
            // Decisions went on through both hand-overs: before the join, between join and leave, after the leave.
            var requests = await (await FlashSaleScenario.TablesAsync(environment)).IssueRequestsAsync();
            var phases = (Before: requests.Count(r => r.DecidedAt < joinedAt), Shared: requests.Count(r => r.DecidedAt > joinedAt && r.DecidedAt < leavingAt),
                After: requests.Count(r => r.DecidedAt > leftAt));
            environment.Log.Write($"[test] decided: {phases.Before} before the join, {phases.Shared} by both, {phases.After} after the leave");
            Assert.True(phases.Before > 0 && phases.Shared > 0 && phases.After > 0, $"decisions per phase: {phases}");
        }
        finally
        {
            secondApi?.Dispose();
        }

        async Task BeforeSendAsync(int index)
        {
            if (TimeSpan.FromSeconds(index / RequestsPerSecond) - clock.Elapsed is var due && due > TimeSpan.Zero)
                await Task.Delay(due);
            if (index >= plan.Count * 2 / 5)
                await joined.Task;
            if (index >= plan.Count * 4 / 5)
                await leaving.Task;
            if (index >= plan.Count * 9 / 10)
                await left.Task;
        }

        async Task RebalanceAsync()
        {
            try
            {
                await JoinAndLeaveAsync();
            }
            catch (Exception e)
            {
                // The held-back requests fail with it instead of waiting for ever.
                foreach (var step in new[] { joined, leaving, left })
                    step.TrySetException(e);
                throw;
            }
        }

        async Task JoinAndLeaveAsync()
        {
            environment.Log.Write($"[test] {Volatile.Read(ref accepted)} accepted: starting a second instance");
            second = await FlashSaleScenario.StartInstanceAsync(environment, "second");
            await second.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            ownersAfterJoin = await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, first, second);
            joinedAt = DateTimeOffset.UtcNow;
            secondApi = new CouponApi(second.BaseAddress, FlashSaleScenario.Concurrency);
            var secondEndpoint = new ServiceEndpoint("second", secondApi, () => !second.HasExited);
            Volatile.Write(ref endpoints, [firstEndpoint, secondEndpoint]);
            environment.Log.Write($"[test] {Volatile.Read(ref accepted)} accepted: the second instance has joined");
            joined.SetResult();

            await Poll.UntilAsync(() => Volatile.Read(ref accepted) >= plan.Count * 3 / 5, TimeSpan.FromMinutes(2), "three fifths of the sale to be accepted");
            environment.Log.Write($"[test] {Volatile.Read(ref accepted)} accepted: stopping the first instance (SIGTERM)");
            // The load stops choosing it first, as a load balancer takes an instance out before stopping it.
            Volatile.Write(ref firstServing, false);
            leavingAt = DateTimeOffset.UtcNow;
            leaving.SetResult();
            graceful = await first.StopAsync(TimeSpan.FromSeconds(30));
            environment.Log.Write($"[test] the first instance stopped in {(DateTimeOffset.UtcNow - leavingAt).TotalSeconds:0.0} s");
            await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, second);
            leftAt = DateTimeOffset.UtcNow;
            left.SetResult();
        }
    }

    static TaskCompletionSource NewStep() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
