using Aspire.Hosting.ApplicationModel;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.Contracts.Topology;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.EndToEnd;

/// <summary><c>--kafka-cluster</c>: three KRaft nodes as one cluster, every domain topic with three replicas of which two
/// must be in sync, and the services, given every broker, working through it.</summary>
[Collection(SuiteCollection.Name)]
public sealed class KafkaClusterSuiteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_brokers_form_one_cluster_with_replicated_topics_and_the_suite_works_through_it()
    {
        await using var suite = await SuiteApp.StartAsync(new SuiteOptions { BrokerNodes = 3, Log = TestOutput.Forward(output, "suite") });
        foreach (var node in (string[])["messaging-1", "messaging-2", "messaging-3"])
            Assert.Equal(KnownResourceStates.Running, suite.Snapshot(node).State?.Text);
        var bootstrap = await suite.ConnectionStringAsync("messaging");
        Assert.Equal(3, bootstrap.Split(',').Length);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.Equal(3, metadata.Brokers.Count);
        var couponIssue = metadata.Topics.Single(t => t.Topic == Topics.CouponIssue);
        Assert.Equal(4, couponIssue.Partitions.Count);
        Assert.All(couponIssue.Partitions, p => Assert.Equal(3, p.Replicas.Length));
        var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = Topics.CouponIssue }]);
        Assert.Equal("2", configs.Single().Entries["min.insync.replicas"].Value);

        var shop = new Shop(suite);
        var (couponId, _) = await shop.CreateCouponAsync(discount: 1m, quantity: 1);
        var decided = await shop.WaitForDecisionAsync(await shop.RequestCouponAsync(couponId, userId: 7));
        Assert.Equal("Issued", decided.GetProperty("status").GetString());

        await suite.StopAsync();
        Assert.Empty(suite.LeftoverProcesses());
    }
}
