using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.Testing.Infrastructure;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>A three-node KRaft cluster (replication factor 3, min.insync.replicas 2): an idempotent acks=all producer keeps
/// writing while the leader of partition 0 is SIGKILLed, and every acknowledged record is in the log exactly once, in
/// order per partition; the killed node rejoins when started again.</summary>
[Collection(KafkaLauncherCollection.Name)]
public sealed class KafkaClusterTests(ITestOutputHelper output)
{
    const int Partitions = 4;
    const int Records = 3_000;
    const int RecordsPerTick = 10; // every 10 ms: 1,000 records/s, so the kill (a third of the way in) lands a second in
    const int Keys = 64;

    [Fact]
    public async Task LosesAndDoublesNothingAcknowledgedWhenTheLeaderOfAPartitionIsKilled()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await KafkaCluster.StartAsync(3, onOutput: (id, line) => TestOutput.Forward(output, $"kafka-{id}")(line));
        output.WriteLine($"3 nodes started in {clock.ElapsedMilliseconds} ms");
        Assert.Equal([1, 2, 3], cluster.Nodes.Select(n => n.NodeId));
        Assert.Equal(3, cluster.Nodes.Select(n => n.RootDirectory).Distinct().Count());
        Assert.Equal(string.Join(',', cluster.Nodes.Select(n => n.BootstrapServer)), cluster.BootstrapServers);
        Assert.All(cluster.Nodes, n => Assert.Equal(cluster.ClusterId, n.ClusterId));
        using (var admin = KafkaClients.Admin(cluster.BootstrapServers))
        {
            var description = await admin.DescribeClusterAsync();
            Assert.Equal(cluster.ClusterId, description.ClusterId);
            Assert.Equal([1, 2, 3], description.Nodes.Select(n => n.Id).Order());
        }

        var topic = "payments-" + Guid.NewGuid().ToString("N");
        await KafkaClients.CreateTopicAsync(cluster.BootstrapServers, topic, Partitions, replicationFactor: 3,
            new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        Assert.Equal("2", await KafkaClients.TopicConfigAsync(cluster.BootstrapServers, topic, "min.insync.replicas"));

        var acks = new ConcurrentQueue<(int Value, int Partition, long Ticks)>();
        var failures = new ConcurrentQueue<string>();
        // An acknowledgement without an offset is the broker taking a retried batch for one it holds (expected around a
        // failover); the suite's producers take it as unconfirmed (KafkaDelivery). Here it counts as acknowledged, and the read
        // back below tells whether the record is there: a loss would show as lost.
        var withoutOffset = new ConcurrentQueue<int>();
        KafkaNode? killed = null;
        long killedAt = 0;
        using (var producer = KafkaClients.IdempotentProducer(cluster.BootstrapServers, TestOutput.Forward(output, "producer")))
        {
            void Send(int value) =>
                producer.Produce(topic, new Message<string, int> { Key = $"account-{value % Keys}", Value = value }, report =>
                {
                    if (report.Error.IsError)
                        failures.Enqueue($"{report.Message.Value}: {report.Error}");
                    else
                    {
                        acks.Enqueue((report.Message.Value, report.Partition.Value, Stopwatch.GetTimestamp()));
                        if (report.Offset == Offset.Unset)
                            withoutOffset.Enqueue(report.Message.Value);
                    }
                });

            // The first record waits for the producer's id (seconds, on a fresh cluster); the pace starts once it is acknowledged,
            // so that the kill lands among steady acknowledgements.
            Send(0);
            await Poll.UntilAsync(() => !acks.IsEmpty || !failures.IsEmpty, TimeSpan.FromSeconds(60), "the first acknowledgement");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            var next = 1;
            while (next < Records)
            {
                for (var i = 0; i < RecordsPerTick && next < Records; i++, next++)
                    Send(next);

                if (killed is null && next >= Records / 3)
                {
                    var leader = await cluster.LeaderOfAsync(topic, 0);
                    Assert.NotNull(leader);
                    killedAt = Stopwatch.GetTimestamp();
                    await leader.KillAsync();
                    killed = leader;
                    output.WriteLine($"killed node {leader.NodeId}, leader of {topic}-0, after {acks.Count} acks and {next} records sent");
                }

                await timer.WaitForNextTickAsync();
            }

            var unsent = await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(90)));
            Assert.Equal(0, unsent);
        }

        Assert.NotNull(killed);
        Assert.Empty(failures);
        var newLeader = await cluster.WaitForLeaderAsync(topic, 0, notBy: killed);
        output.WriteLine($"{topic}-0 now led by node {newLeader.NodeId}");

        // Everything acknowledged, exactly once, and per partition in the order it was sent.
        var acked = acks.ToList();
        var log = await KafkaClients.ReadAllAsync(cluster.BootstrapServers, topic, Partitions);
        var ackedValues = acked.Select(a => a.Value).ToHashSet();
        var lost = ackedValues.Except(log.Select(r => r.Value)).Count();
        var duplicated = log.Count - log.Select(r => r.Value).Distinct().Count();
        var times = acked.Select(a => a.Ticks).Order().ToList();
        var longestPause = times.Zip(times.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).Max();
        var firstAckAfterKill = Stopwatch.GetElapsedTime(killedAt, times.First(t => t > killedAt));
        var partition0 = acked.Where(a => a.Partition == 0).Select(a => a.Ticks).Order().ToList();
        var longestPause0 = partition0.Zip(partition0.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).Max();
        output.WriteLine($"acked {acked.Count} ({withoutOffset.Count} without an offset: {string.Join(", ", withoutOffset.Take(20))}), "
                         + $"read back {log.Count}, lost {lost}, duplicated {duplicated}; longest pause between acks "
                         + $"{longestPause.TotalMilliseconds:0} ms (partition 0: {longestPause0.TotalMilliseconds:0} ms), first ack after the kill "
                         + $"{firstAckAfterKill.TotalMilliseconds:0} ms after it");
        Assert.Equal(Records, acked.Count);
        Assert.Equal(Enumerable.Range(0, Records), ackedValues.Order());
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.Equal(Records, log.Count);
        Assert.Equal(Partitions, log.Select(r => r.Partition).Distinct().Count());
        foreach (var partition in log.GroupBy(r => r.Partition))
        {
            var values = partition.Select(r => r.Value).ToList();
            Assert.True(values.Zip(values.Skip(1)).All(p => p.First < p.Second), $"partition {partition.Key} is not in increasing order");
            Assert.Equal(acked.Where(a => a.Partition == partition.Key).Select(a => a.Value).Order(), values);
        }

        // The killed node comes back on its ports with its data and rejoins.
        clock.Restart();
        await killed.StartAgainAsync();
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"node {killed.NodeId} started again and rejoined in {clock.ElapsedMilliseconds} ms");

        var directories = cluster.Nodes.Select(n => n.RootDirectory).ToList();
        var jvms = cluster.Nodes.Select(n => n.Pid).ToList();
        clock.Restart();
        await cluster.DisposeAsync();
        output.WriteLine($"3 nodes stopped in {clock.ElapsedMilliseconds} ms");
        Assert.DoesNotContain(jvms, ProcessTree.IsAlive);
        Assert.All(directories, d => Assert.False(Directory.Exists(d)));
        Assert.All(directories, d => Assert.Empty(ProcessTree.FindMentioning(d)));
        await cluster.DisposeAsync(); // idempotent
    }
}
