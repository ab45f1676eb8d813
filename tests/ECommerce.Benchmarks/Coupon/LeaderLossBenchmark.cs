using System.Diagnostics;
using ECommerce.Benchmarks.Report;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Xunit.Abstractions;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>How long a flash sale stops when the broker leading its partition dies: a three-broker KRaft cluster of its own
/// (three replicas, two in sync required, as <see cref="KafkaTopics"/> creates on a cluster), one coupon instance on SQLite,
/// an open loop at the offered rate, and half-way through, the broker leading the sale's coupon-issue partition (not the
/// active controller) SIGKILLed. The pause is the longest stretch after the kill without a decision, from the decisions' own
/// timestamps, as the cluster leader-loss test measures it; here on a machine doing nothing else, where the issue's bound
/// (the failure detection, <c>broker.session.timeout.ms</c> = 2 s, plus 1 s) is meant to hold.</summary>
internal static class LeaderLossBenchmark
{
    const string Service = "coupon";

    /// <summary>The integration test's controller quorum settings: a dead active controller is replaced within seconds.</summary>
    static readonly Dictionary<string, string> ControllerQuorum = new(StringComparer.Ordinal)
    {
        ["controller.quorum.fetch.timeout.ms"] = "1000",
        ["controller.quorum.election.timeout.ms"] = "1000",
        ["controller.quorum.election.backoff.max.ms"] = "1000",
    };

    public static async Task<LeaderLossResult> RunAsync(BenchmarkOptions options, ITestOutputHelper output)
    {
        var activeController = 0;
        var cluster = await KafkaCluster.StartAsync(3, Brokers.Options(ControllerQuorum), (id, line) =>
        {
            if (line.Contains("Performing controller activation", StringComparison.Ordinal))
                Volatile.Write(ref activeController, id);
            Brokers.Log($"kafka-{id}", line);
        }).ConfigureAwait(false);
        await using (cluster.ConfigureAwait(false))
        {
            var environment = await ServiceEnvironment.CreateAsync("bench-leader-loss", DatabaseKind.Sqlite, output, ownCluster: cluster).ConfigureAwait(false);
            await using (environment.ConfigureAwait(false))
            {
                try
                {
                    return await RunSaleAsync(cluster, environment, () => Volatile.Read(ref activeController), options).ConfigureAwait(false);
                }
                catch
                {
                    Console.Error.WriteLine(environment.Log.Recent);
                    throw;
                }
            }
        }
    }

    static async Task<LeaderLossResult> RunSaleAsync(KafkaCluster cluster, ServiceEnvironment environment, Func<int> activeController,
        BenchmarkOptions options)
    {
        var service = await environment.StartInstanceAsync(Service, $"{Service}-leader-loss", options.EnvironmentForService()).ConfigureAwait(false);
        await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await environment.WaitForOwnersAsync(Service, Topics.CouponIssue, [service]).ConfigureAwait(false);
        using var api = new CouponApi(service.BaseAddress, 4096);
        var tables = new CouponDatabase(await environment.DatabaseAsync(Service).ConfigureAwait(false));

        var warmUp = await api.CreateCouponAsync("warm-up", 1m, 10_000_000).ConfigureAwait(false);
        var warming = Stopwatch.StartNew();
        for (var batch = 0L; batch == 0 || warming.Elapsed.TotalSeconds < Math.Min(options.WarmUpSeconds, 15); batch++)
        {
            await LoadGenerator.ClosedLoopAsync(api, warmUp, 900_000_000 + batch * 1_000, 1_000, 16).ConfigureAwait(false);
            await WaitDecidedAsync(tables).ConfigureAwait(false);
        }

        // A coupon whose requests' partition is led by a broker that is not the active controller, so that what is measured is
        // the failover of the partition alone (the integration test covers the controller's own death).
        var requests = (int)(options.Rate * options.Seconds);
        var partitions = environment.Messaging.PartitionsOf(Topics.CouponIssue);
        Guid coupon;
        int partition;
        KafkaNode victim;
        do
        {
            coupon = await api.CreateCouponAsync("leader loss", 1m, Math.Max(1, requests / 2)).ConfigureAwait(false);
            partition = KeyPartitioner.PartitionOf(coupon.ToString(), partitions);
            victim = cluster.Node(environment.Probe.PartitionsOf(Topics.CouponIssue).Single(p => p.Partition == partition).Leader);
        }
        while (victim.NodeId == activeController());

        Console.WriteLine($"[leader-loss] {requests} requests at {options.Rate:0}/s on coupon-issue[{partition}], led by node {victim.NodeId}; " +
            $"killing it after {options.Seconds / 2:0.#} s");
        var sale = LoadGenerator.OpenLoopAsync(api, coupon, 3_000_000_000, options.Rate, TimeSpan.FromSeconds(options.Seconds));
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds / 2)).ConfigureAwait(false);
        var controller = activeController();
        var killedAt = DateTimeOffset.UtcNow;
        await victim.KillAsync().ConfigureAwait(false);
        var load = await sale.ConfigureAwait(false);
        var newLeader = await cluster.WaitForLeaderAsync(KafkaNames.Topic(environment.Messaging, Topics.CouponIssue), partition, victim).ConfigureAwait(false);
        await WaitDecidedAsync(tables).ConfigureAwait(false);
        Console.WriteLine($"[leader-loss] coupon-issue[{partition}] is led by node {newLeader.NodeId} now; every request decided");

        var rows = (await tables.IssueRequestsAsync().ConfigureAwait(false)).Where(r => r.CouponId == coupon).ToList();
        var decisions = rows.Select(r => r.DecidedAt!.Value).Distinct().Order().ToList();
        var (length, from, to) = decisions.Zip(decisions.Skip(1))
            .Where(d => d.Second > killedAt)
            .Select(d => (Length: d.Second - (d.First > killedAt ? d.First : killedAt), From: d.First > killedAt ? d.First : killedAt, To: d.Second))
            .MaxBy(d => d.Length);
        return new LeaderLossResult(load, rows.Count, length, from - killedAt, to - killedAt, victim.NodeId == controller,
            new Latency(rows.Select(r => (r.DecidedAt!.Value - r.AcceptedAt).TotalMilliseconds)), ProcessMemory.PeakResidentBytes(service.Pid));
    }

    static Task WaitDecidedAsync(CouponDatabase tables) =>
        Poll.UntilAsync(async _ => (await tables.RequestProgressAsync().ConfigureAwait(false)).Pending == 0,
            TimeSpan.FromMinutes(15), "every request to be decided", interval: TimeSpan.FromMilliseconds(100));
}
