using System.Text.Json;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Messaging.Topology;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>The provisioner routes each consumer group only the types <see cref="ConsumerGroups"/> lists for it, by the type
/// header every outbox publisher sets; a message without a usable header reaches every group of its topic, so a publisher
/// that forgets the header costs deliveries, never a message. Checked on the real broker: what lands in the coupon and
/// order groups' <c>coupon-issue</c> queues (no consumers attached, so the queues keep everything), in publish order.</summary>
public sealed class TypeRoutingTests(ITestOutputHelper output)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    static readonly string CouponQueue = TopologyNames.GroupQueue("coupon", Topics.CouponIssue, 0);
    static readonly string OrderQueue = TopologyNames.GroupQueue("order", Topics.CouponIssue, 0);

    [Fact]
    public async Task Each_group_receives_its_own_types_in_order_and_untyped_messages_reach_every_group()
    {
        await using var environment = await TestEnvironment.CreateAsync("types", DatabaseKind.Sqlite, output, o => o.DefaultPartitions = 1);
        await using var broker = await Broker.ConnectAsync(environment.BrokerUri);
        var couponId = Guid.NewGuid();

        var requested = await broker.PublishAsync(Row(new CouponIssueRequested(Guid.NewGuid(), couponId, 7, DateTimeOffset.UtcNow)));
        var used = await broker.PublishAsync(Row(new CouponUsed(Guid.NewGuid(), Guid.NewGuid(), couponId, 7, 5m, DateTimeOffset.UtcNow)));
        await broker.PublishAsync(Row(new CouponIssued(Guid.NewGuid(), couponId, 7, Guid.NewGuid(), 99, DateTimeOffset.UtcNow)));
        var untyped = await broker.PublishAsync(Row(new CouponIssueRequested(Guid.NewGuid(), couponId, 8, DateTimeOffset.UtcNow)),
            headers => headers.Remove(OutboxPublisher.MessageTypeHeader));
        var unknown = await broker.PublishAsync(Row(new CouponIssueRequested(Guid.NewGuid(), couponId, 9, DateTimeOffset.UtcNow)),
            headers => headers[OutboxPublisher.MessageTypeHeader] = "ECommerce.Contracts.Coupons.NotYetInvented");

        // The issued event is only on the retained log: neither group consumes it.
        Assert.Equal([requested, untyped, unknown], await broker.DrainAsync(CouponQueue, 3));
        Assert.Equal([used, untyped, unknown], await broker.DrainAsync(OrderQueue, 3));
        Assert.Equal(5, (await broker.ReadStreamAsync(TopologyNames.LogStream(Topics.CouponIssue, 0), 5)).Count);
    }

    [Fact]
    public async Task Provisioning_over_the_earlier_topology_removes_the_direct_partition_bindings_and_twice_changes_nothing()
    {
        await using var environment = await TestEnvironment.CreateAsync("types-upgrade", DatabaseKind.Sqlite, output, o => o.DefaultPartitions = 1);
        await using var broker = await Broker.ConnectAsync(environment.BrokerUri);
        // What earlier versions bound: every partition exchange straight to each group's queue exchange.
        var partition = TopologyNames.PartitionExchange(Topics.CouponIssue, 0);
        await broker.Channel.ExchangeBindAsync(CouponQueue, partition, string.Empty);
        await broker.Channel.ExchangeBindAsync(OrderQueue, partition, string.Empty);

        await TopologyProvisioner.ProvisionAsync(environment.BrokerUri, environment.Messaging);
        await TopologyProvisioner.ProvisionAsync(environment.BrokerUri, environment.Messaging);

        var couponId = Guid.NewGuid();
        await broker.PublishAsync(Row(new CouponIssued(Guid.NewGuid(), couponId, 7, Guid.NewGuid(), 99, DateTimeOffset.UtcNow)));
        var used = await broker.PublishAsync(Row(new CouponUsed(Guid.NewGuid(), Guid.NewGuid(), couponId, 7, 5m, DateTimeOffset.UtcNow)));
        Assert.Equal([used], await broker.DrainAsync(OrderQueue, 1));
        Assert.Empty(await broker.DrainAsync(CouponQueue, 0));
    }

    [Fact]
    public async Task Provisioning_removes_the_binding_of_a_type_an_earlier_version_of_a_group_consumed()
    {
        await using var environment = await TestEnvironment.CreateAsync("types-dropped", DatabaseKind.Sqlite, output, o => o.DefaultPartitions = 1);
        await using var broker = await Broker.ConnectAsync(environment.BrokerUri);
        // An earlier coupon group that also consumed its own issued events: the router sends them to its queue.
        var router = TopologyNames.TypeRouter(TopologyNames.PartitionExchange(Topics.CouponIssue, 0));
        await broker.Channel.ExchangeBindAsync(CouponQueue, router, string.Empty, TopologyProvisioner.TypeBinding(typeof(CouponIssued)));
        var couponId = Guid.NewGuid();
        var before = await broker.PublishAsync(Row(new CouponIssued(Guid.NewGuid(), couponId, 7, Guid.NewGuid(), 99, DateTimeOffset.UtcNow)));
        Assert.Equal([before], await broker.DrainAsync(CouponQueue, 1));

        await TopologyProvisioner.ProvisionAsync(environment.BrokerUri, environment.Messaging);

        await broker.PublishAsync(Row(new CouponIssued(Guid.NewGuid(), couponId, 8, Guid.NewGuid(), 98, DateTimeOffset.UtcNow)));
        var requested = await broker.PublishAsync(Row(new CouponIssueRequested(Guid.NewGuid(), couponId, 9, DateTimeOffset.UtcNow)));
        Assert.Equal([requested], await broker.DrainAsync(CouponQueue, 1));
        Assert.Equal(3, (await broker.ReadStreamAsync(TopologyNames.LogStream(Topics.CouponIssue, 0), 3)).Count);
    }

    static OutboxMessage Row<T>(T message)
        where T : class
    {
        var descriptor = MessageCatalog.Describe(typeof(T));
        return new OutboxMessage
        {
            Id = Guid.NewGuid(),
            Topic = descriptor.Topic.Name,
            PartitionKey = descriptor.PartitionKeyOf(message),
            MessageType = typeof(T).FullName!,
            Body = JsonSerializer.Serialize(message, MessageJson.Options),
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>Publishes envelopes exactly as the pipelined relay does (with confirms) and reads queues back with basic.get.</summary>
    sealed class Broker(IConnection connection, IChannel channel, Uri brokerUri) : IAsyncDisposable
    {
        public IChannel Channel { get; } = channel;

        public static async Task<Broker> ConnectAsync(Uri brokerUri)
        {
            var connection = await new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "type-routing-test" }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true));
            return new Broker(connection, channel, brokerUri);
        }

        public async Task<Guid> PublishAsync(OutboxMessage row, Action<IDictionary<string, object?>>? alterHeaders = null)
        {
            var topic = TopicCatalog.Get(row.Topic);
            var (body, properties) = OutboxEnvelope.Create(row, OutboxEnvelope.DestinationAddress(brokerUri, topic), null, DateTime.UtcNow);
            alterHeaders?.Invoke(properties.Headers!);
            await Channel.BasicPublishAsync(topic.Name, row.PartitionKey ?? string.Empty, mandatory: false, properties, body);
            return row.Id;
        }

        /// <summary>The ids of the messages in <paramref name="queue"/>, in order, once it holds <paramref name="expected"/>;
        /// then checks nothing more arrives (every publish was confirmed, so routing is done).</summary>
        public async Task<IReadOnlyList<Guid>> DrainAsync(string queue, int expected)
        {
            var ids = new List<Guid>();
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var result = await Channel.BasicGetAsync(queue, autoAck: true);
                if (result is not null)
                {
                    ids.Add(Guid.Parse(result.BasicProperties.MessageId!));
                    continue;
                }

                if (ids.Count >= expected)
                    return ids;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"{queue} held {ids.Count} of {expected} messages after {Patience}.");
                await Task.Delay(50);
            }
        }

        /// <summary>A stream cannot be read with basic.get: consume it from its first offset on a channel of its own.</summary>
        public async Task<IReadOnlyList<Guid>> ReadStreamAsync(string stream, int expected)
        {
            var reader = await connection.CreateChannelAsync();
            await using (reader)
            {
                await reader.BasicQosAsync(0, 100, global: false);
                var ids = new List<Guid>();
                var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(reader);
                consumer.ReceivedAsync += async (_, delivery) =>
                {
                    lock (ids)
                        ids.Add(Guid.Parse(delivery.BasicProperties.MessageId!));
                    await reader.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                };
                await reader.BasicConsumeAsync(stream, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false,
                    new Dictionary<string, object?> { ["x-stream-offset"] = "first" }, consumer);
                await ECommerce.Testing.Infrastructure.Poll.UntilAsync(() => { lock (ids) return ids.Count >= expected; }, Patience,
                    $"{expected} records in {stream}");
                lock (ids)
                    return [.. ids];
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Channel.CloseAsync();
            Channel.Dispose();
            await connection.CloseAsync();
            connection.Dispose();
        }
    }
}
