using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.ServiceDefaults.Messaging;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.EndToEnd;

/// <summary><c>--rabbitmq-cluster</c>: three broker nodes as one cluster, every partition queue a quorum queue with a replica
/// on each node, and the services, given every node, working through it.</summary>
[Collection(SuiteCollection.Name)]
public sealed class BrokerClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_nodes_form_one_cluster_with_replicated_partitions_and_the_suite_works_through_it()
    {
        await using var suite = await SuiteApp.StartAsync(new SuiteOptions { BrokerNodes = 3, Log = TestOutput.Forward(output, "suite") });
        foreach (var node in (string[])["messaging-1", "messaging-2", "messaging-3"])
            Assert.Equal(KnownResourceStates.Running, suite.Snapshot(node).State?.Text);
        var broker = BrokerAddress.Parse(await suite.ConnectionStringAsync("messaging"));
        Assert.Equal(3, broker.Nodes.Count);

        // Asked of the second node: the cluster's metadata is the same on every member.
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{suite.PortBase + 22}/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        var nodes = await management.GetFromJsonAsync<JsonElement>("api/nodes?columns=name,running");
        Assert.Equal(3, nodes.EnumerateArray().Count(n => n.GetProperty("running").GetBoolean()));
        var queues = await management.GetFromJsonAsync<JsonElement>("api/queues?columns=name,type,members");
        var partitions = queues.EnumerateArray()
            .Where(q => System.Text.RegularExpressions.Regex.IsMatch(q.GetProperty("name").GetString()!, @"^coupon\.coupon-issue\.p\d+$")).ToList();
        Assert.Equal(4, partitions.Count);
        Assert.All(partitions, q =>
        {
            Assert.Equal("quorum", q.GetProperty("type").GetString());
            Assert.Equal(3, q.GetProperty("members").GetArrayLength());
        });

        var shop = new Shop(suite);
        var (couponId, _) = await shop.CreateCouponAsync(discount: 1m, quantity: 1);
        var decided = await shop.WaitForDecisionAsync(await shop.RequestCouponAsync(couponId, userId: 7));
        Assert.Equal("Issued", decided.GetProperty("status").GetString());

        await suite.StopAsync();
        Assert.Empty(suite.LeftoverProcesses());
    }
}
