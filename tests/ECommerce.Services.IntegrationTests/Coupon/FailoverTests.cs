using System.Diagnostics;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon.Load;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>The flash sale of <see cref="FlashSaleTests"/> with one instance SIGKILLed half-way through. The victim is started
/// first, so it holds the outbox relay's lease; the survivor joins the consumer group next and the group protocol gives it
/// half the partitions; the sale's coupons are all on partitions the victim owns. Its death must be covered on every path at
/// once: requests in flight to it fail at the HTTP level and are retried against the survivor with the same Idempotency-Key;
/// once the brokers' session timeout declares the victim dead, the survivor gets its partitions and reads them from the
/// victim's last commit (what the victim had handled since is handled again, which changes nothing); its relay takes the
/// expired lease and publishes what the victim had accepted but not yet published. All the invariants of the sale must still
/// hold, and no request may be accepted twice.</summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Invariants_hold_when_an_instance_is_killed_mid_sale(DatabaseKind database)
    {
        var scale = FlashSaleScenario.ScaleFor(database);
        await using var environment = await ServiceEnvironment.CreateAsync("failover", database, output);
        // The victim alone first: its relay takes the outbox lease, its consumer every partition.
        var victim = await FlashSaleScenario.StartInstanceAsync(environment, "victim");
        await victim.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, victim);
        var survivor = await FlashSaleScenario.StartInstanceAsync(environment, "survivor");
        await survivor.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        // The survivor joins: some partitions move to it.
        var owners = await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, victim, survivor);
        var victimPartitions = owners.Where(o => o.Value == victim).Select(o => o.Key).ToHashSet();

        using var victimApi = new CouponApi(victim.BaseAddress, FlashSaleScenario.Concurrency);
        using var survivorApi = new CouponApi(survivor.BaseAddress, FlashSaleScenario.Concurrency);
        // The whole sale on the victim's partitions: until it dies, it alone decides.
        var couponIds = await FlashSaleScenario.CreateCouponsAsync(environment, survivorApi, scale, victimPartitions);
        var plan = FlashSalePlan.Create(scale.Users, scale.RequestsPerUser, scale.Coupons, FlashSaleScenario.Seed);
        environment.Log.Write($"[test] sending {plan.Count} requests from {scale.Users} users, {FlashSaleScenario.Concurrency} at a time");

        Task? kill = null;
        var killedAt = DateTimeOffset.MaxValue;
        var clock = Stopwatch.StartNew();
        var load = await LoadDriver.RunAsync(plan, couponIds,
            [new ServiceEndpoint("victim", victimApi, () => !victim.HasExited), new ServiceEndpoint("survivor", survivorApi, () => !survivor.HasExited)],
            FlashSaleScenario.Concurrency,
            accepted =>
            {
                if (accepted != plan.Count / 2)
                    return;
                // Exactly one acceptance is the half-way one; the kill runs beside the load, which keeps sending.
                killedAt = DateTimeOffset.UtcNow;
                environment.Log.Write($"[test] {accepted} accepted: killing the victim (pid {victim.Pid}) with SIGKILL");
                kill = victim.KillAsync();
            });
        Assert.NotNull(kill);
        await kill;
        environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s; {load.TransportFailures} transport " +
            $"failures, {load.Retried} requests retried, {load.UnexpectedAnswers} unexpected answers");
        await FlashSaleScenario.WaitUntilDecidedAsync(environment, plan.Count, [victim, survivor]);
        environment.Log.Write($"[test] sale over {clock.Elapsed.TotalSeconds:0.0} s after the first request");

        var verdict = await FlashSaleScenario.VerifyAsync(environment, scale, plan, load, couponIds, survivorApi);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());

        // The kill really cut through the sale on every path.
        var requests = await (await FlashSaleScenario.TablesAsync(environment)).IssueRequestsAsync();
        var decidedBefore = requests.Count(r => r.DecidedAt < killedAt);
        var decidedAfter = requests.Count(r => r.DecidedAt > killedAt);
        var acceptedByVictim = load.Outcomes.Count(o => o.AcceptedBy == "victim");
        var retriedAfterVictimAccepted = load.Outcomes.Count(o => o.Attempts > 1 && o.AcceptedBy == "survivor"
            && requests.Any(r => r.Id == o.RequestId && r.AcceptedAt < killedAt));
        environment.Log.Write($"[test] the victim accepted {acceptedByVictim} requests; {decidedBefore} were decided before the kill " +
            $"(by the victim), {decidedAfter} after (by the survivor); {retriedAfterVictimAccepted} retries were answered with a " +
            "request the victim had already accepted (its reply was lost with it)");
        Assert.True(acceptedByVictim > 0, "the victim accepted no request before it was killed");
        Assert.True(decidedBefore > 0, "nothing was decided before the kill: the victim never consumed");
        Assert.True(decidedAfter > 0, "nothing was decided after the kill: the survivor never took over");
        // Requests in flight to the victim failed and were retried, under the same key, on the survivor — and still appear
        // once each (checked by the verifier: one row per key, the row the client was told about).
        Assert.True(load.TransportFailures > 0, "no request was in flight to the victim when it died");
        Assert.All(load.Outcomes.Where(o => o.Attempts > 1), o => Assert.Equal("survivor", o.AcceptedBy));
        // The group is the survivor alone now, owning every partition the victim had.
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, survivor);
    }
}
