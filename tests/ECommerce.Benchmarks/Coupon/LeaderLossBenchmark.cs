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

    public static async Task<LeaderLossResult> RunAsync(BenchmarkOptions options, ITestOutputHelper output)
    {
        var watched = await LeaderLossCluster.StartAsync().ConfigureAwait(false);
        await using (watched.ConfigureAwait(false))
        {
            var environment = await ServiceEnvironment.CreateAsync("bench-leader-loss", DatabaseKind.Sqlite, output, ownCluster: watched.Cluster)
                .ConfigureAwait(false);
            await using (environment.ConfigureAwait(false))
            {
                try
                {
                    return await RunSaleAsync(watched, environment, options).ConfigureAwait(false);
                }
                catch
                {
                    Console.Error.WriteLine(environment.Log.Recent);
                    throw;
                }
            }
        }
    }

    static async Task<LeaderLossResult> RunSaleAsync(LeaderLossCluster watched, ServiceEnvironment environment, BenchmarkOptions options)
    {
        var cluster = watched.Cluster;
        var service = await environment.StartInstanceAsync(Service, $"{Service}-leader-loss", options.EnvironmentForService()).ConfigureAwait(false);
        await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        await environment.WaitForOwnersAsync(Service, Topics.CouponIssue, [service]).ConfigureAwait(false);
        using var api = new CouponApi(service.BaseAddress, 4096);
        var tables = new CouponDatabase(await environment.DatabaseAsync(Service).ConfigureAwait(false));

        await CouponBenchmark.WarmUpAsync(api, tables, Math.Min(options.WarmUpSeconds, 15), 16).ConfigureAwait(false);

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
        while (victim.NodeId == watched.ActiveController);

        Console.WriteLine($"[leader-loss] {requests} requests at {options.Rate:0}/s on coupon-issue[{partition}], led by node {victim.NodeId}; " +
            $"killing it after {options.Seconds / 2:0.#} s");
        var sale = LoadGenerator.OpenLoopAsync(api, coupon, 3_000_000_000, options.Rate, TimeSpan.FromSeconds(options.Seconds));
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds / 2)).ConfigureAwait(false);
        var controller = watched.ActiveController;
        var killedAt = DateTimeOffset.UtcNow;
        await victim.KillAsync().ConfigureAwait(false);
        var load = await sale.ConfigureAwait(false);
        var newLeader = await cluster.WaitForLeaderAsync(KafkaNames.Topic(environment.Messaging, Topics.CouponIssue), partition, victim).ConfigureAwait(false);
        await CouponBenchmark.WaitDecidedAsync(tables).ConfigureAwait(false);
        Console.WriteLine($"[leader-loss] coupon-issue[{partition}] is led by node {newLeader.NodeId} now; every request decided");

        var rows = (await tables.IssueRequestsAsync().ConfigureAwait(false)).Where(r => r.CouponId == coupon).ToList();
        var (length, from, to) = LeaderLossCluster.LongestPause(rows.Select(r => r.DecidedAt!.Value), killedAt);
        return new LeaderLossResult(load, rows.Count, length, from - killedAt, to - killedAt, victim.NodeId == controller,
            new Latency(rows.Select(r => (r.DecidedAt!.Value - r.AcceptedAt).TotalMilliseconds)), ProcessMemory.PeakResidentBytes(service.Pid));
    }
}
