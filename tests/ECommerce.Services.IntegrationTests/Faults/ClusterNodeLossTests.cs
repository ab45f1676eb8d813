using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>Cluster mode: a three-node RabbitMQ cluster with every partition, error and delay queue a quorum queue (three
/// replicas, a write confirmed by two: Kafka's replication factor 3 with min in-sync 2). Half-way through a flash sale on two
/// coupon instances the node that leads every queue (they were declared through it) is SIGKILLed and stays down. The
/// survivors elect new leaders, the services' connections fail over to them, and the sale ends with every invariant intact:
/// nothing a producer had confirmed is lost, nothing is decided twice. Then the node is restarted and rejoins.</summary>
public sealed class ClusterNodeLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_flash_sale_survives_losing_the_node_that_leads_its_queues()
    {
        await using var cluster = await RabbitMqCluster.StartAsync(3);
        await using var environment = await ServiceEnvironment.CreateAsync("cluster-node-loss", DatabaseKind.PostgreSql, output, ownCluster: cluster);
        Assert.Equal("quorum", environment.QueueType);
        using var sale = await TwoInstanceSale.StartAsync(environment);

        var leader = cluster.Nodes[0];
        Task? kill = null;
        var killedAt = DateTimeOffset.MaxValue;
        var load = await sale.RunAsync(accepted =>
        {
            if (accepted != sale.Plan.Count / 2)
                return;
            kill = Task.Run(async () =>
            {
                environment.Log.Write($"[test] {accepted} accepted: killing node {leader.NodeName} (pid {leader.Pid}) with SIGKILL");
                killedAt = DateTimeOffset.UtcNow;
                await leader.KillAsync();
            });
        });
        Assert.NotNull(kill);
        await kill;
        var requests = await sale.FinishThroughFaultAsync(load, killedAt, "the node");
        Assert.Contains(requests, r => r.AcceptedAt > killedAt);
        Assert.False(leader.IsRunning);
        Assert.Equal(2, (await cluster.Nodes[1].RunningClusterNodesAsync()).Count);

        // The node comes back as a member and its replicas catch up; the services never noticed it was gone.
        await leader.RestartAsync();
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
    }
}
