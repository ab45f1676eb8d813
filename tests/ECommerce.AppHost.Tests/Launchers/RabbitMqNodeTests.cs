using System.Net.Http.Headers;
using ECommerce.Testing.Infrastructure;
using RabbitMQ.Client;

namespace ECommerce.AppHost.Tests.Launchers;

public sealed class RabbitMqNodeTests(RabbitMqNodeFixture fixture) : IClassFixture<RabbitMqNodeFixture>
{
    private RabbitMqNode Node => fixture.Node;

    [Fact]
    public async Task AcceptsAmqpConnectionsInAVirtualHostOfItsOwnUntilItIsDeleted()
    {
        var virtualHost = "vhost-" + Guid.NewGuid().ToString("N");
        var uri = await Node.CreateVirtualHostAsync(virtualHost);
        Assert.Equal($"amqp://guest:guest@127.0.0.1:{Node.AmqpPort}/{virtualHost}", uri.ToString());

        await using (var connection = await Amqp.ConnectAsync(uri))
        {
            await using var channel = await connection.CreateChannelAsync();
            var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
            await channel.BasicPublishAsync(string.Empty, queue.QueueName, "hello"u8.ToArray());

            Assert.Equal("hello", await Amqp.GetAsync(connection, queue.QueueName));
        }

        await Node.DeleteVirtualHostAsync(virtualHost);
        using var http = ManagementClient();
        using var response = await http.GetAsync(new Uri("api/vhosts/" + virtualHost, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task RoutesThroughAConsistentHashExchange()
    {
        var uri = await Node.CreateVirtualHostAsync("hash-" + Guid.NewGuid().ToString("N"));
        await using var connection = await Amqp.ConnectAsync(uri);
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("keyed", "x-consistent-hash", durable: false, autoDelete: false);
        string[] partitions = ["keyed.p0", "keyed.p1"];
        foreach (var partition in partitions)
        {
            await channel.QueueDeclareAsync(partition, durable: false, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(partition, "keyed", routingKey: "10");
        }

        for (var key = 0; key < 40; key++)
        {
            await channel.BasicPublishAsync("keyed", $"user-{key}", "m"u8.ToArray());
        }

        // Every message lands in exactly one partition.
        await Poll.UntilAsync(async _ =>
        {
            uint total = 0;
            foreach (var partition in partitions)
            {
                total += (await channel.QueueDeclarePassiveAsync(partition)).MessageCount;
            }

            return total == 40;
        }, TimeSpan.FromSeconds(10), "all 40 messages in the partition queues");
    }

    [Fact]
    public async Task ServesTheManagementApiOnLoopback()
    {
        using var http = ManagementClient();
        var overview = await http.GetStringAsync(new Uri("api/overview", UriKind.Relative));

        Assert.Contains(Node.NodeName, overview, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", Node.ManagementUri.ToString(), StringComparison.Ordinal);
    }

    private HttpClient ManagementClient()
    {
        var http = new HttpClient { BaseAddress = Node.ManagementUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return http;
    }

    [Fact]
    public async Task RestartKeepsDurableQueuesAndPersistentMessages()
    {
        var uri = await Node.CreateVirtualHostAsync("restart-" + Guid.NewGuid().ToString("N"));
        await using (var connection = await Amqp.ConnectAsync(uri))
        {
            await using var channel = await Amqp.ConfirmingChannelAsync(connection);
            await channel.QueueDeclareAsync("durable", durable: true, exclusive: false, autoDelete: false);
            await Amqp.PublishPersistentAsync(channel, string.Empty, "durable", "survivor");
        }

        var pidBefore = Node.Pid;
        await Node.RestartAsync();

        Assert.True(Node.IsRunning);
        Assert.NotEqual(pidBefore, Node.Pid);
        Assert.False(ProcessTree.IsAlive(pidBefore));
        await using (var connection = await Amqp.ConnectAsync(uri))
        {
            Assert.Equal("survivor", await Amqp.GetAsync(connection, "durable"));
        }
    }
}
