using ECommerce.Testing.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using ECommerce.AppHost.Tests.Suite;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>A three-node cluster of isolated nodes: quorum queues keep confirmed messages when the node that leads them is
/// SIGKILLed, clients fail over through the node list, and the killed node rejoins when restarted.</summary>
public sealed class RabbitMqClusterTests(ITestOutputHelper output)
{
    const int Messages = 500;

    [Fact]
    public async Task AQuorumQueueLosesNothingWhenItsLeaderIsKilled()
    {
        await using var cluster = await RabbitMqCluster.StartAsync(3, onOutput: (i, line) => TestOutput.Forward(output, $"rabbitmq-{i + 1}")(line));
        var first = cluster.Nodes[0];
        Assert.Equal(3, (await first.RunningClusterNodesAsync()).Count);
        Assert.Single(cluster.Nodes.Select(n => n.EpmdPort).Distinct());
        var directories = cluster.Nodes.Select(n => n.RootDirectory).ToList();

        // Declared through the first node, which therefore leads the queue's replicas.
        await using (var connection = await Amqp.ConnectAsync(first.AmqpUri))
        {
            await using var channel = await Amqp.ConfirmingChannelAsync(connection);
            await channel.QueueDeclareAsync("replicated", durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            for (var i = 0; i < Messages; i++)
                await Amqp.PublishPersistentAsync(channel, string.Empty, "replicated", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await first.KillAsync();
        // Until the survivors have elected a new leader, a get answers nodedown (and closes the connection).
        await WaitForLeaderAsync(cluster.Nodes[1], "replicated", first.NodeName);

        // A client given every node reaches a survivor, where a new leader serves the queue with every confirmed message.
        var broker = BrokerAddress.Parse(cluster.ConnectionString);
        await using (var connection = await broker.ConnectAsync(broker.CreateFactory("apphost-tests"), CancellationToken.None))
        {
            Assert.NotEqual(first.AmqpPort, connection.Endpoint.Port);
            var received = new List<int>();
            for (var i = 0; i < Messages; i++)
                received.Add(int.Parse(await Amqp.GetAsync(connection, "replicated"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, Messages), received);
        }

        await first.RestartAsync();
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, (await first.RunningClusterNodesAsync()).Count);

        await cluster.DisposeAsync();
        Assert.All(directories, d => Assert.False(Directory.Exists(d)));
        Assert.All(cluster.Nodes, n => Assert.Empty(ProcessTree.FindByEnvironment("RABBITMQ_NODENAME", n.NodeName)));
    }

    static Task WaitForLeaderAsync(RabbitMqNode survivor, string queue, string deadNode) =>
        Poll.UntilAsync(async token => await survivor.TryGetManagementAsync("api/queues/%2F/" + queue, token) is { } json
                                       && json.TryGetProperty("leader", out var leader) && leader.GetString() is { } name && name != deadNode
                                       && json.TryGetProperty("state", out var state) && state.GetString() == "running",
            TimeSpan.FromSeconds(60), $"a new leader of {queue}");
}
