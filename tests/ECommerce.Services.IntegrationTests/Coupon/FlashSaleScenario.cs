using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon.Load;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>The steps both flash-sale tests share: create the coupons, wait for every request to be decided, and check the
/// result in the tables and through the HTTP API.</summary>
public static class FlashSaleScenario
{
    /// <summary>Requests in flight at once, spread over the instances; COUPON_TEST_CONCURRENCY overrides it.</summary>
    public static int Concurrency =>
        int.TryParse(Environment.GetEnvironmentVariable("COUPON_TEST_CONCURRENCY"), out var concurrency) ? concurrency : 64;

    /// <summary>Deterministic by default so that a failure can be replayed; COUPON_TEST_SEED picks another sale.</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("COUPON_TEST_SEED"), out var seed) ? seed : 20_261_121;

    public static FlashSaleScale ScaleFor(DatabaseKind database) =>
        database == DatabaseKind.PostgreSql ? FlashSaleScale.PostgreSql : FlashSaleScale.Sqlite;

    public const string Service = "coupon";

    /// <summary>The coupon service's tables in this test's environment.</summary>
    public static async Task<CouponDatabase> TablesAsync(ServiceEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new CouponDatabase(await environment.DatabaseAsync(Service).ConfigureAwait(false));
    }

    /// <summary>Starts a coupon-service instance in <paramref name="environment"/>.</summary>
    public static Task<ServiceProcess> StartInstanceAsync(ServiceEnvironment environment, string name, int ordinal, int count)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.StartInstanceAsync(Service, name, ordinal, count);
    }

    /// <summary>Waits until every coupon-issue partition queue of the coupon group has <paramref name="consumers"/> consumers.</summary>
    public static Task WaitForIssuingConsumersAsync(ServiceEnvironment environment, int consumers)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.WaitForPartitionConsumersAsync(Service, ECommerce.Contracts.Topology.Topics.CouponIssue, consumers);
    }

    public static async Task<IReadOnlyList<Guid>> CreateCouponsAsync(CouponApi api, FlashSaleScale scale)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(scale);
        var ids = new List<Guid>();
        foreach (var coupon in scale.Coupons)
            ids.Add(await api.CreateCouponAsync(coupon.Name, 5m, coupon.Stock).ConfigureAwait(false));
        return ids;
    }

    /// <summary>Waits until <paramref name="expected"/> requests are recorded and none is pending, then until the relay has
    /// published every outbox row (the outcome events too), logging progress as it goes. The deadline is generous: on the
    /// 2-core reference machine the service decides about 100 requests a second, fewer while the test suite's other
    /// assemblies run beside it.</summary>
    public static async Task WaitUntilDecidedAsync(ServiceEnvironment environment, int expected, IReadOnlyList<ServiceProcess> instances)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(instances);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        (long Accepted, long Pending) progress = default;
        await Poll.UntilAsync(async _ =>
        {
            if (instances.All(i => i.HasExited))
                throw new InvalidOperationException("Every instance has exited; nothing can decide the pending requests.");
            progress = await (await TablesAsync(environment).ConfigureAwait(false)).RequestProgressAsync().ConfigureAwait(false);
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = clock.Elapsed;
                environment.Log.Write($"[test] {progress.Accepted} accepted, {progress.Pending} pending");
            }

            return progress.Accepted == expected && progress.Pending == 0;
        }, TimeSpan.FromMinutes(6), $"all {expected} requests to be decided", interval: TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        environment.Log.Write($"[test] all {expected} requests decided {clock.Elapsed.TotalSeconds:0.0} s after the load ended");

        await Poll.UntilAsync(async _ => await (await TablesAsync(environment).ConfigureAwait(false)).OutboxBacklogAsync().ConfigureAwait(false) == 0,
            TimeSpan.FromSeconds(60), "the outbox to be fully published", interval: TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
    }

    /// <summary>Reads the tables and checks every invariant (<see cref="FlashSaleVerifier"/>), then checks that the HTTP API
    /// reports what the tables say, for a sample of requests, users and every coupon.</summary>
    public static async Task<FlashSaleVerdict> VerifyAsync(ServiceEnvironment environment, FlashSaleScale scale,
        IReadOnlyList<PlannedRequest> plan, LoadResult load, IReadOnlyList<Guid> couponIds, CouponApi api, int expectedDeadLetters = 0)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(api);
        var requests = await (await TablesAsync(environment).ConfigureAwait(false)).IssueRequestsAsync().ConfigureAwait(false);
        var coupons = await (await TablesAsync(environment).ConfigureAwait(false)).CouponsAsync().ConfigureAwait(false);
        var userCoupons = await (await TablesAsync(environment).ConfigureAwait(false)).UserCouponsAsync().ConfigureAwait(false);
        var verdict = FlashSaleVerifier.Verify(plan, load.Outcomes, scale.Coupons, couponIds, requests, coupons, userCoupons);
        foreach (var tally in verdict.Tallies)
            environment.Log.Write($"[test] {tally}");

        var violations = verdict.Violations.ToList();
        if (await (await TablesAsync(environment).ConfigureAwait(false)).DeadLettersAsync().ConfigureAwait(false) is var deadLetters
            && deadLetters != expectedDeadLetters)
            violations.Add($"{deadLetters} dead letters recorded, {expectedDeadLetters} expected");

        foreach (var row in requests.Where((_, i) => i % (requests.Count / 40 + 1) == 0))
        {
            var answer = await api.GetRequestAsync(row.Id).ConfigureAwait(false);
            var status = answer.GetProperty("status").GetString();
            var reason = answer.GetProperty("reason").GetString();
            if (status != row.Status || reason != row.Reason)
                violations.Add($"GET request {row.Id}: {status}/{reason}, table says {row.Status}/{row.Reason}");
        }

        foreach (var user in requests.Select(r => r.UserId).Distinct().Order().Where((_, i) => i % 97 == 0))
        {
            var answer = await api.GetUserCouponsAsync(user).ConfigureAwait(false);
            var held = answer.EnumerateArray().Select(c => c.GetProperty("couponId").GetGuid()).Order().ToList();
            var expected = userCoupons.Where(u => u.UserId == user).Select(u => u.CouponId).Order().ToList();
            if (!held.SequenceEqual(expected))
                violations.Add($"GET user {user} coupons: {held.Count}, table says {expected.Count}");
        }

        for (var c = 0; c < couponIds.Count; c++)
        {
            var answer = await api.GetCouponAsync(couponIds[c]).ConfigureAwait(false);
            var issued = answer.GetProperty("issuedQuantity").GetInt32();
            var remaining = answer.GetProperty("remainingQuantity").GetInt32();
            if (verdict.Tallies.FirstOrDefault(t => t.Name == scale.Coupons[c].Name) is not { } tally)
                continue;
            if (issued != tally.Issued || remaining != scale.Coupons[c].Stock - tally.Issued)
                violations.Add($"GET coupon {scale.Coupons[c].Name}: issued {issued}, remaining {remaining}; {tally.Issued} were issued");
        }

        return verdict with { Violations = violations };
    }
}
