using ECommerce.Testing.Records;
using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon.Load;
using ECommerce.Contracts.Topology;

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
    public static Task<ServiceProcess> StartInstanceAsync(ServiceEnvironment environment, string name,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.StartInstanceAsync(Service, name, settings);
    }

    /// <summary>Waits until the coupon group is exactly <paramref name="owners"/> and they own every coupon-issue partition;
    /// returns who owns which.</summary>
    public static Task<IReadOnlyDictionary<int, ServiceProcess>> WaitForIssuingOwnersAsync(ServiceEnvironment environment,
        params ServiceProcess[] owners)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.WaitForOwnersAsync(Service, Topics.CouponIssue, owners);
    }

    /// <summary>The coupon-issue partition a coupon's requests go to (its id is their key).</summary>
    public static int PartitionOf(ServiceEnvironment environment, Guid couponId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return KeyPartitioner.PartitionOf(couponId.ToString(), environment.Messaging.PartitionsOf(Topics.CouponIssue));
    }

    /// <summary>Creates the sale's coupons, each on a coupon-issue partition no other coupon of the sale uses (while there are
    /// enough partitions), so that the sale spreads over as many partitions, and so instances, as it can; or, given
    /// <paramref name="onPartitions"/>, each on one of those. The service picks a coupon's id, so coupons are created until
    /// each lands where it should; those that do not are left unused (no request ever names them).</summary>
    public static async Task<IReadOnlyList<Guid>> CreateCouponsAsync(ServiceEnvironment environment, CouponApi api, FlashSaleScale scale,
        IReadOnlySet<int>? onPartitions = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(scale);
        var partitions = environment.Messaging.PartitionsOf(Topics.CouponIssue);
        var ids = new List<Guid>();
        var used = new HashSet<int>();
        var spares = 0;
        foreach (var coupon in scale.Coupons)
        {
            while (true)
            {
                var id = await api.CreateCouponAsync(coupon.Name, 5m, coupon.Stock).ConfigureAwait(false);
                var partition = PartitionOf(environment, id);
                var fits = onPartitions is not null ? onPartitions.Contains(partition) : used.Count >= partitions || !used.Contains(partition);
                if (fits)
                {
                    ids.Add(id);
                    used.Add(partition);
                    break;
                }

                if (++spares > 200)
                    throw new InvalidOperationException($"200 coupons created and none landed on a partition of {string.Join(", ", onPartitions ?? used)}.");
            }
        }

        environment.Log.Write($"[test] coupons on coupon-issue partitions {string.Join(", ", ids.Select(id => PartitionOf(environment, id)))} " +
            $"({spares} spare coupons created on the way)");
        return ids;
    }

    /// <summary>Waits until <paramref name="expected"/> requests are recorded and none is pending, then until the relay has
    /// published every outbox row (the outcome events too), logging progress as it goes. The deadline is generous (a sale
    /// here is decided seconds after its load ends); one that passes prints where the coupon group's records stand.</summary>
    public static async Task WaitUntilDecidedAsync(ServiceEnvironment environment, int expected, IReadOnlyList<ServiceProcess> instances)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(instances);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        (long Accepted, long Pending) progress = default;
        try
        {
            await PollDecidedAsync().ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            environment.Log.Write($"[test] stuck at {progress.Accepted} accepted, {progress.Pending} pending; coupon group "
                + await environment.DescribeGroupAsync(Service).ConfigureAwait(false));
            throw;
        }

        environment.Log.Write($"[test] all {expected} requests decided {clock.Elapsed.TotalSeconds:0.0} s after the load ended");

        await Poll.UntilAsync(async _ => await (await TablesAsync(environment).ConfigureAwait(false)).OutboxBacklogAsync().ConfigureAwait(false) == 0,
            TimeSpan.FromSeconds(60), "the outbox to be fully published", interval: TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);

        Task PollDecidedAsync() => Poll.UntilAsync(async _ =>
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
        }, TimeSpan.FromMinutes(3), $"all {expected} requests to be decided", interval: TimeSpan.FromMilliseconds(250));
    }

    /// <summary>Reads the tables and checks every invariant (<see cref="FlashSaleVerifier"/>) and the coupon-issue topic against
    /// them (<see cref="CouponIssueLog"/>), then checks that the HTTP API reports what the tables say, for a sample of requests,
    /// users and every coupon.</summary>
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
        violations.AddRange(await CouponIssueLog.CheckAsync(environment, requests).ConfigureAwait(false));
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
