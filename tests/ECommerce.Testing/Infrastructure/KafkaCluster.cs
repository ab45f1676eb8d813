using System.Globalization;
using System.Runtime.ExceptionServices;
using Confluent.Kafka;
using ECommerce.AppHost.Kafka;

namespace ECommerce.Testing.Infrastructure;

/// <summary>An Apache Kafka cluster of several KRaft nodes on this machine, each an isolated <see cref="KafkaNode"/> (own
/// directory and ports, broker and controller in one JVM) formatted with one cluster id and given the same static voters
/// list, so they form one quorum and nothing else. With three nodes <see cref="KafkaNodeLayout"/> replicates every
/// partition three times with two in sync required: any one node can die and the cluster serves on, losing nothing it
/// acknowledged.</summary>
public sealed class KafkaCluster : IAsyncDisposable
{
    /// <summary>How long <see cref="DisposeAsync"/> lets the nodes shut down after SIGTERM: 7 s was the longest measured
    /// on two cores (the raft leader's 5 s resignation timeout included).</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    private readonly List<KafkaNode> nodes;

    private KafkaCluster(string clusterId, List<KafkaNode> nodes)
    {
        ClusterId = clusterId;
        this.nodes = nodes;
    }

    public string ClusterId { get; }

    /// <summary>The nodes in id order: <c>Nodes[i].NodeId == i + 1</c>.</summary>
    public IReadOnlyList<KafkaNode> Nodes => nodes;

    /// <summary>Every node's <c>127.0.0.1:port</c>, comma-separated: a client's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => string.Join(',', nodes.Select(n => n.BootstrapServer));

    /// <summary>Starts <paramref name="size"/> nodes side by side (a node's broker only gets ready once a majority of the
    /// controllers runs, so they cannot start one after another); completes when every node answers and the cluster's
    /// metadata lists all of them as brokers.</summary>
    /// <param name="options">Applied to every node; its <see cref="KafkaNodeOptions.OnOutput"/> gets every node's lines
    /// unless <paramref name="onOutput"/> is given.</param>
    /// <param name="onOutput">Each node's console lines, with the node's id.</param>
    /// <exception cref="InfrastructureNotInstalledException">Java is not installed.</exception>
    /// <exception cref="InfrastructureStartException">A node did not come up in time.</exception>
    public static async Task<KafkaCluster> StartAsync(int size = 3, KafkaNodeOptions? options = null, Action<int, string>? onOutput = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        options ??= new KafkaNodeOptions();
        var kafkaHome = KafkaNode.Prerequisites(options);
        var clusterId = KafkaNodeLayout.NewClusterId();
        var name = "kafka-" + Guid.NewGuid().ToString("N")[..8];
        var ports = Enumerable.Range(1, size).Select(id => (Id: id, Port: FreePort.Next(), ControllerPort: FreePort.Next())).ToList();
        var voters = ports.Select(p => (p.Id, p.ControllerPort)).ToList();
        var cluster = new KafkaCluster(clusterId, []);
        try
        {
            foreach (var (id, port, controllerPort) in ports)
            {
                Action<string>? forward = onOutput is null ? options.OnOutput : line => onOutput(id, line);
                cluster.nodes.Add(KafkaNode.Create(options, kafkaHome, clusterId, string.Create(CultureInfo.InvariantCulture, $"{name}-{id}"),
                    id, port, controllerPort, voters, forward));
            }

            await StartSideBySideAsync(cluster.nodes, cancellationToken).ConfigureAwait(false);
            await cluster.WaitUntilFormedAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The node with id <paramref name="nodeId"/>.</summary>
    public KafkaNode Node(int nodeId) =>
        nodes.Find(n => n.NodeId == nodeId) ?? throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, "No such node in the cluster.");

    /// <summary>Waits until every running node answers a metadata request and the cluster lists exactly the running nodes
    /// as its brokers (after a start, or after a killed node was started again; a killed node drops out of the list once
    /// the controller misses its heartbeats, <c>broker.session.timeout.ms</c>).</summary>
    public async Task WaitUntilFormedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var running = nodes.Where(n => n.IsRunning).ToList();
        var expected = running.Select(n => n.NodeId).Order().ToList();
        await Poll.UntilAsync(async token =>
        {
            foreach (var node in running)
            {
                var brokers = await BrokersSeenByAsync(node.BootstrapServer, token).ConfigureAwait(false);
                if (brokers is null || !brokers.SequenceEqual(expected))
                {
                    return false;
                }
            }

            return true;
        }, timeout, $"the Kafka cluster of nodes {string.Join(", ", expected)} to form", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node that leads <paramref name="topic"/>'s <paramref name="partition"/> as the cluster's metadata says
    /// (DescribeTopics through the running nodes); null while the partition has no leader. Right after a leader died the
    /// metadata may still name it: see <see cref="WaitForLeaderAsync"/>.</summary>
    public async Task<KafkaNode?> LeaderOfAsync(string topic, int partition, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var info = await DescribePartitionAsync(topic, partition, cancellationToken).ConfigureAwait(false);
        return info.Leader is { Id: >= 0 } leader ? Node(leader.Id) : null;
    }

    /// <summary>Waits until <paramref name="topic"/>'s <paramref name="partition"/> is led by a running node other than
    /// <paramref name="notBy"/> (a new leader after a kill), and returns it.</summary>
    public async Task<KafkaNode> WaitForLeaderAsync(string topic, int partition, KafkaNode? notBy = null, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        KafkaNode? found = null;
        await Poll.UntilAsync(async token =>
        {
            try
            {
                found = await LeaderOfAsync(topic, partition, token).ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                found = null;
            }

            return found is { IsRunning: true } && found != notBy;
        }, timeout ?? TimeSpan.FromSeconds(60), $"a running leader of {topic}-{partition.ToString(CultureInfo.InvariantCulture)}"
            + (notBy is null ? string.Empty : " other than node " + notBy.NodeId.ToString(CultureInfo.InvariantCulture)),
            cancellationToken).ConfigureAwait(false);
        return found!;
    }

    /// <summary>Kills (SIGKILL) the node that leads <paramref name="topic"/>'s <paramref name="partition"/> and returns it;
    /// its data stays, <see cref="KafkaNode.StartAgainAsync"/> brings it back.</summary>
    public async Task<KafkaNode> KillLeaderOfAsync(string topic, int partition, CancellationToken cancellationToken = default)
    {
        var leader = await WaitForLeaderAsync(topic, partition, cancellationToken: cancellationToken).ConfigureAwait(false);
        await leader.KillAsync(cancellationToken).ConfigureAwait(false);
        return leader;
    }

    /// <summary>Kills (SIGKILL) node <paramref name="nodeId"/>, keeping its data.</summary>
    public Task KillNodeAsync(int nodeId, CancellationToken cancellationToken = default) => Node(nodeId).KillAsync(cancellationToken);

    /// <summary>Stops every node and removes their directories. Idempotent. SIGTERM goes to all at once: a broker's
    /// controlled shutdown needs the controller quorum, which stopping nodes one by one would lose before the last. Even so,
    /// the last broker to ask can wait for an approval that no longer comes (its partitions have nowhere to go; Kafka waits
    /// minutes), and the raft leader, left alone, waits 5 s to resign: a node still running after
    /// <see cref="ShutdownGrace"/> is killed, which costs nothing since its data is removed next.</summary>
    public async ValueTask DisposeAsync()
    {
        var stops = nodes.Select(n => n.StopAsync(ShutdownGrace, CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(stops).ConfigureAwait(false);
        }
        catch when (stops.Find(t => t.IsFaulted)?.Exception?.InnerException is { } first)
        {
            ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>Starts every node at once; the first to fail cancels the others' waits, and its error is the one thrown.</summary>
    private static async Task StartSideBySideAsync(IReadOnlyList<KafkaNode> nodes, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var starts = nodes.Select(async node =>
        {
            try
            {
                await node.StartAgainAsync(failFast.Token).ConfigureAwait(false);
            }
            catch
            {
                await failFast.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch when (starts.Find(t => t.IsFaulted && t.Exception?.InnerException is not OperationCanceledException)?.Exception?.InnerException
                    is { } cause)
        {
            ExceptionDispatchInfo.Throw(cause);
        }
    }

    /// <summary>The broker ids in the metadata <paramref name="bootstrapServer"/> answers with, in order; null when it does not
    /// answer.</summary>
    private static Task<List<int>?> BrokersSeenByAsync(string bootstrapServer, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            using var admin = KafkaNode.CreateAdminClient(bootstrapServer);
            try
            {
                return admin.GetMetadata(TimeSpan.FromSeconds(3)).Brokers.Select(b => b.BrokerId).Order().ToList();
            }
            catch (KafkaException)
            {
                return null;
            }
        }, cancellationToken);

    private async Task<TopicPartitionInfo> DescribePartitionAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var running = nodes.Where(n => n.IsRunning).Select(n => n.BootstrapServer).ToList();
        if (running.Count == 0)
        {
            throw new InvalidOperationException("No node of the Kafka cluster runs.");
        }

        using var admin = KafkaNode.CreateAdminClient(string.Join(',', running));
        var description = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]),
                new Confluent.Kafka.Admin.DescribeTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(5) })
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return description.TopicDescriptions.Single().Partitions.Find(p => p.Partition == partition)
               ?? throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Topic {topic} has no such partition.");
    }
}
