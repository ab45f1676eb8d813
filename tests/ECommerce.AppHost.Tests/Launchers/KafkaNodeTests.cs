using System.Diagnostics;
using System.Globalization;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.Testing.Infrastructure;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>The Kafka launchers' tests run one at a time: each JVM wants a core of its own while it starts.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaLauncherCollection
{
    public const string Name = "Kafka launchers";
}

/// <summary>One KRaft node of its own: records produced with acks=all come back in order per partition, survive a SIGKILL
/// and a graceful restart, and a stopped node leaves no process and no directory behind.</summary>
[Collection(KafkaLauncherCollection.Name)]
public sealed class KafkaNodeTests(ITestOutputHelper output)
{
    const int Partitions = 4;
    const int Records = 200;

    [Fact]
    public async Task KeepsWhatItAcknowledgedThroughACrashAndARestartAndLeavesNothingBehindWhenStopped()
    {
        var clock = Stopwatch.StartNew();
        await using var node = await KafkaNode.StartAsync(new KafkaNodeOptions { OnOutput = TestOutput.Forward(output, "kafka") });
        output.WriteLine($"started in {clock.ElapsedMilliseconds} ms: {node}");
        Assert.Equal("java", ProcessTree.CommandName(node.Pid));
        Assert.Equal($"127.0.0.1:{node.Port}", node.BootstrapServer);
        Assert.NotEqual(node.Port, node.ControllerPort);
        Assert.StartsWith(Path.GetTempPath(), node.RootDirectory, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(node.DataDirectory, "meta.properties")));
        // A session of its own: a Ctrl+C at the terminal reaches the test run, which stops the node in order, not the node.
        Assert.NotEqual(ProcessSession(Environment.ProcessId), ProcessSession(node.Pid));

        var topic = "orders-" + Guid.NewGuid().ToString("N");
        var retention = TimeSpan.FromHours(6).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        await KafkaClients.CreateTopicAsync(node.BootstrapServer, topic, Partitions, replicationFactor: 1,
            new Dictionary<string, string> { ["retention.ms"] = retention });
        Assert.Equal(retention, await KafkaClients.TopicConfigAsync(node.BootstrapServer, topic, "retention.ms"));

        clock.Restart();
        var produced = await KafkaClients.ProduceAsync(node.BootstrapServer, topic, Enumerable.Range(0, Records), v => $"customer-{v % 16}");
        var read = await KafkaClients.ReadAllAsync(node.BootstrapServer, topic, Partitions);
        output.WriteLine($"{Records} records produced and read back in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(produced.OrderBy(r => r.Partition).ThenBy(r => r.Offset), read);
        Assert.Equal(Partitions, read.Select(r => r.Partition).Distinct().Count());
        foreach (var partition in read.GroupBy(r => r.Partition))
        {
            Assert.Equal(partition.Select(r => r.Value).Order(), partition.Select(r => r.Value));
            Assert.All(partition.GroupBy(r => r.Key), key => Assert.Equal(key.Key, $"customer-{key.First().Value % 16}"));
        }

        // A crash: the JVM is gone at once, the records it acknowledged are not.
        var crashed = node.Pid;
        await node.KillAsync();
        Assert.False(node.IsRunning);
        Assert.Equal(0, node.Pid);
        Assert.False(ProcessTree.IsAlive(crashed));
        clock.Restart();
        await node.StartAgainAsync();
        output.WriteLine($"started again after SIGKILL in {clock.ElapsedMilliseconds} ms");
        Assert.NotEqual(crashed, node.Pid);
        Assert.Equal(read, await KafkaClients.ReadAllAsync(node.BootstrapServer, topic, Partitions));

        // A graceful restart (SIGTERM: controlled shutdown) on the same port, with the same data.
        var port = node.Port;
        clock.Restart();
        await node.RestartAsync();
        output.WriteLine($"restarted gracefully in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(port, node.Port);
        Assert.Equal(read, await KafkaClients.ReadAllAsync(node.BootstrapServer, topic, Partitions));

        var directory = node.RootDirectory;
        var jvm = node.Pid;
        clock.Restart();
        await node.StopAsync();
        output.WriteLine($"stopped in {clock.ElapsedMilliseconds} ms");

        Assert.False(ProcessTree.IsAlive(jvm));
        Assert.Empty(ProcessTree.FindMentioning(directory));
        Assert.Empty(ProcessTree.FindByEnvironment(KafkaNode.MarkerVariable, directory));
        Assert.False(Directory.Exists(directory));
        Assert.True(FreePort.IsFree(port));
        await node.StopAsync(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(() => node.StartAgainAsync());
    }

    [Fact]
    public async Task SaysHowToProvideKafkaWhenTheConfiguredFolderHoldsNone()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => KafkaNode.StartAsync(new KafkaNodeOptions { KafkaHome = "/nonexistent/kafka" }));

        Assert.Contains("/nonexistent/kafka", error.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_HOME", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The session id (field 6 of /proc/pid/stat).</summary>
    static string ProcessSession(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3];
    }
}
