using System.Diagnostics;
using System.Globalization;
using ECommerce.Testing.Infrastructure;
using ECommerce.Benchmarks.Report;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>The flash sale end to end against one instance of the built coupon service (a child process, as the AppHost runs
/// it) on a database of the given provider and a topic prefix of its own: a closed loop at maximum throughput, then an open
/// loop at a fixed offered rate. Each run is one coupon whose stock is half its requests, each request from a user of its
/// own, so half the decisions issue a coupon and half reject SoldOut. A coupon's id is its requests' key, so one coupon-issue
/// partition carries the whole sale: the decisions are one partition worker's (which decides a coupon's pending requests in
/// batches), the hot spot a flash sale is.</summary>
internal static class CouponBenchmark
{
    const string Service = "coupon";

    public static async Task<IReadOnlyList<CouponRunResult>> RunAsync(string provider, BenchmarkOptions options, ITestOutputHelper output)
    {
        var environment = await ServiceEnvironment.CreateAsync($"bench-{Service}", BenchmarkOptions.DatabaseOf(provider), output).ConfigureAwait(false);
        await using (environment.ConfigureAwait(false))
        {
            try
            {
                var service = await environment.StartInstanceAsync(Service, $"{Service}-{provider}", options.EnvironmentForService()).ConfigureAwait(false);
                await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                // The instance is the group's only member: nothing is sent before it owns every coupon-issue partition.
                await environment.WaitForOwnersAsync(Service, Topics.CouponIssue, [service]).ConfigureAwait(false);
                var brokerPid = (await SharedInfrastructure.BrokerAsync().ConfigureAwait(false)).Pid;
                var postgresPid = (await SharedInfrastructure.DatabaseAsync().ConfigureAwait(false)).Pid;
                using var api = new CouponApi(service.BaseAddress, 4096);
                var tables = new CouponDatabase(await environment.DatabaseAsync(Service).ConfigureAwait(false));
                Console.WriteLine($"[{provider}] coupon service pid {service.Pid} on {service.BaseAddress}; warming up");

                // JIT (see BenchmarkOptions.WarmUpSeconds), connection pools, the relay's and consumer's first records: not measured.
                var warming = Stopwatch.StartNew();
                await WarmUpAsync(api, tables, options.WarmUpSeconds, Math.Min(16, options.Clients)).ConfigureAwait(false);
                Console.WriteLine($"[{provider}] warmed up for {warming.Elapsed.TotalSeconds:0} s");
                var results = new List<CouponRunResult>
                {
                    await MeasureAsync(provider, $"closed loop, {options.Clients} clients", options.Requests, api, tables, service.Pid, brokerPid, postgresPid,
                        coupon => LoadGenerator.ClosedLoopAsync(api, coupon, 1_000_000_000, options.Requests, options.Clients)).ConfigureAwait(false),
                };
                var openRequests = (int)(options.Rate * options.Seconds);
                results.Add(await MeasureAsync(provider, string.Create(CultureInfo.InvariantCulture, $"open loop, {options.Rate:0}/s offered"),
                    openRequests, api, tables, service.Pid, brokerPid, postgresPid,
                    coupon => LoadGenerator.OpenLoopAsync(api, coupon, 2_000_000_000, options.Rate, TimeSpan.FromSeconds(options.Seconds))).ConfigureAwait(false));
                var peak = ProcessMemory.PeakResidentBytes(service.Pid);
                return results.Select(r => r with { PeakBytes = peak }).ToList();
            }
            catch
            {
                Console.Error.WriteLine(environment.Log.Recent);
                throw;
            }
        }
    }

    static async Task<CouponRunResult> MeasureAsync(string provider, string mode, int requests, CouponApi api, CouponDatabase tables,
        int servicePid, int brokerPid, int postgresPid, Func<Guid, Task<LoadRun>> load)
    {
        Console.WriteLine($"[{provider}] {mode}: {requests} requests");
        var coupon = await api.CreateCouponAsync(mode, 1m, Math.Max(1, requests / 2)).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var cpuStart = CpuSnapshot.Take(servicePid, brokerPid, postgresPid);
        using var sampling = new CancellationTokenSource();
        var backlog = SampleOutboxAsync(tables, sampling.Token);
        var run = await load(coupon).ConfigureAwait(false);
        await WaitDecidedAsync(tables).ConfigureAwait(false);
        var cpu = CpuSnapshot.Take(servicePid, brokerPid, postgresPid).SharesSince(cpuStart);
        var total = clock.Elapsed;
        await sampling.CancelAsync().ConfigureAwait(false);
        var outbox = (await backlog.ConfigureAwait(false)).Order().ToList();

        var rows = (await tables.IssueRequestsAsync().ConfigureAwait(false)).Where(r => r.CouponId == coupon).ToList();
        var firstAccepted = rows.Min(r => r.AcceptedAt);
        var lastAccepted = rows.Max(r => r.AcceptedAt);
        var lastDecided = rows.Max(r => r.DecidedAt!.Value);
        var decidedPerSecond = rows.Count / (lastDecided - firstAccepted).TotalSeconds;
        var undecided = rows.Count(r => r.DecidedAt > lastAccepted);
        var drainPerSecond = undecided >= rows.Count / 20 ? undecided / (lastDecided - lastAccepted).TotalSeconds : double.NaN;
        var decided = new Latency(rows.Select(r => (r.DecidedAt!.Value - r.AcceptedAt).TotalMilliseconds));
        return new CouponRunResult(provider, mode, run, decidedPerSecond, drainPerSecond, decided,
            outbox.Count == 0 ? 0 : outbox[outbox.Count / 2], outbox.Count == 0 ? 0 : outbox[^1], cpu, total);
    }

    /// <summary>The outbox's rows once a second until cancelled: what the relay has yet to publish (it deletes each row once
    /// the broker acknowledged it), so at a steady rate the relay's lag is the backlog divided by the rate. A count scans the
    /// table, on PostgreSQL with every row deleted since its last vacuum: 20 ms a count during the sale (pg_stat_statements,
    /// 2026-12-07), so sampling every 100 ms cost PostgreSQL a fifth of a core that the run then charged to the design.</summary>
    static async Task<List<long>> SampleOutboxAsync(CouponDatabase tables, CancellationToken cancellationToken)
    {
        var samples = new List<long>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
                samples.Add(await tables.OutboxBacklogAsync().ConfigureAwait(false));
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return samples;
    }

    /// <summary>Drives a coupon of its own with closed loops of 1,000 requests from <paramref name="clients"/> clients, each
    /// loop decided before the next, until <paramref name="seconds"/> have passed (one loop at least).</summary>
    internal static async Task WarmUpAsync(CouponApi api, CouponDatabase tables, double seconds, int clients)
    {
        var warmUp = await api.CreateCouponAsync("warm-up", 1m, 10_000_000).ConfigureAwait(false);
        var warming = Stopwatch.StartNew();
        for (var batch = 0L; batch == 0 || warming.Elapsed.TotalSeconds < seconds; batch++)
        {
            await LoadGenerator.ClosedLoopAsync(api, warmUp, 900_000_000 + batch * 1_000, 1_000, clients).ConfigureAwait(false);
            await WaitDecidedAsync(tables).ConfigureAwait(false);
        }
    }

    /// <summary>Polls every half second, as the orders benchmark does: counting the pending requests scans the table (hundreds of
    /// thousands of rows by the end of a sale), and a run whose decisions fall behind drains longest, so a tighter poll costs
    /// the database most in the runs it measures worst. The throughput comes from the rows' own timestamps.</summary>
    internal static Task WaitDecidedAsync(CouponDatabase tables) =>
        Poll.UntilAsync(async _ => await tables.PendingAsync().ConfigureAwait(false) == 0,
            TimeSpan.FromMinutes(15), "every request to be decided", interval: TimeSpan.FromMilliseconds(500));
}
