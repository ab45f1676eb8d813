using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;
using ECommerce.AppHost.Testing;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests;

/// <summary><c>--rabbitmq-cluster</c>: the AppHost runs three RabbitMQ nodes as one cluster, provisions quorum queues
/// replicated on all three, and the services, given every node, work through it.</summary>
public sealed class AppHostClusterModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunsTheSuiteOnAThreeNodeClusterWithQuorumQueues()
    {
        await using var apphost = await AppHostProcess.StartAsync(new AppHostProcessOptions
        {
            RabbitMqCluster = true,
            Environment = new Dictionary<string, string?> { ["ConnectionStrings__messaging"] = null },
            OnOutput = TestOutput.Forward(output, "apphost"),
        });
        var names = apphost.FindProcesses().Select(ProcessTree.CommandName).ToList();
        Assert.Equal(3, names.Count(n => n == "beam.smp"));
        Assert.Equal(1, names.Count(n => n == "epmd"));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var resources = await http.GetFromJsonAsync<JsonElement>(new Uri(apphost.DashboardUri, "api/resources"));
        var messaging = resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "messaging");
        var endpoints = messaging.GetProperty("endpoints").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => new Uri(e.GetProperty("url").GetString()!));
        Assert.Equal(["node1-amqp", "node2-amqp", "node3-amqp"], endpoints.Keys.Where(k => k.EndsWith("-amqp", StringComparison.Ordinal)).Order());

        // Every partition queue is a quorum queue with a replica on each node.
        using var management = new HttpClient { BaseAddress = endpoints["node2-management"] };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "Z3Vlc3Q6Z3Vlc3Q=");
        var queues = await management.GetFromJsonAsync<JsonElement>(new Uri("api/queues?columns=name,type,members", UriKind.Relative));
        var partitions = queues.EnumerateArray().Where(q => q.GetProperty("name").GetString()!.StartsWith("coupon.coupon-issue.p", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(partitions);
        Assert.All(partitions, q =>
        {
            Assert.Equal("quorum", q.GetProperty("type").GetString());
            Assert.Equal(3, q.GetProperty("members").GetArrayLength());
        });

        // A request goes the whole way: HTTP, outbox, the quorum partition queue, the consumer, the decision.
        using var created = await http.PostAsJsonAsync(new Uri(apphost.ServiceUri("coupon"), "/api/coupons"),
            new { name = "Cluster", discountAmount = 1m, totalQuantity = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var couponId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var requested = await http.PostAsJsonAsync(new Uri(apphost.ServiceUri("coupon"), $"/api/coupons/{couponId}/issue-requests"), new { userId = 7 });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var requestId = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetGuid();
        await Poll.UntilAsync(async ct =>
        {
            var status = await http.GetFromJsonAsync<JsonElement>(new Uri(apphost.ServiceUri("coupon"), $"/api/coupon-issue-requests/{requestId}"), ct);
            return status.GetProperty("status").GetString() == "Issued";
        }, TimeSpan.FromSeconds(30), "the issue request to be decided Issued");

        Assert.Equal(0, await apphost.StopAsync(TimeSpan.FromSeconds(120)));
        await Poll.UntilAsync(() => apphost.FindProcesses().Count == 0, TimeSpan.FromSeconds(10), "every process of the AppHost to be gone");
    }
}
