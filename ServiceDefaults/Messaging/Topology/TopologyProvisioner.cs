using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using RabbitMQ.Client;

namespace ECommerce.ServiceDefaults.Messaging.Topology;

/// <summary>Declares the broker-side topology every service relies on: one exchange per topic (a consistent-hash exchange for
/// a keyed topic, bound to its fan-out partition exchanges), the retained log, the consumer groups' queues fed by type, and
/// the TTL delay tiers used for redelivery.
/// Idempotent, and safe to run from several processes at once: each run creates a topic's partition bindings in the
/// same order, so the consistent-hash ring (which depends on binding creation order) is the same whoever creates it.</summary>
public static class TopologyProvisioner
{
    /// <summary>Points each partition exchange gets on the consistent-hash ring; more points spread keys more evenly.</summary>
    public const string HashRingWeight = "20";

    public static async Task ProvisionAsync(Uri brokerUri, MessagingOptions options, CancellationToken cancellationToken = default)
    {
        var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "ecommerce-topology" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await ProvisionAsync(channel, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task ProvisionAsync(IChannel channel, MessagingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);

        foreach (var topic in TopicCatalog.All)
        {
            if (!topic.IsKeyed)
            {
                await channel.ExchangeDeclareAsync(topic.Name, ExchangeType.Fanout, durable: true, autoDelete: false,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                continue;
            }

            await channel.ExchangeDeclareAsync(topic.Name, "x-consistent-hash", durable: true, autoDelete: false,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var partitions = options.PartitionsOf(topic.Name);
            for (var p = 0; p < partitions; p++)
            {
                var partitionExchange = TopologyNames.PartitionExchange(topic.Name, p);
                await channel.ExchangeDeclareAsync(partitionExchange, ExchangeType.Fanout, durable: true, autoDelete: false,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.ExchangeBindAsync(partitionExchange, topic.Name, HashRingWeight,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        // The retained log exists before any service publishes, as a Kafka topic's log does: whatever is published from the
        // first moment on is kept, whether or not its readers have ever started.
        foreach (var topic in TopicCatalog.All.Where(t => !t.IsCommandChannel))
        {
            if (!topic.IsKeyed)
            {
                await DeclareLogStreamAsync(channel, TopologyNames.LogStream(topic.Name, null), topic.Name, options, cancellationToken).ConfigureAwait(false);
                continue;
            }

            for (var p = 0; p < options.PartitionsOf(topic.Name); p++)
            {
                await DeclareLogStreamAsync(channel, TopologyNames.LogStream(topic.Name, p), TopologyNames.PartitionExchange(topic.Name, p), options,
                    cancellationToken).ConfigureAwait(false);
            }
        }

        await channel.ExchangeDeclareAsync(TopologyNames.Discard, ExchangeType.Fanout, durable: true, autoDelete: false,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var topic in TopicCatalog.All)
        {
            var groups = ConsumerGroups.All.Keys.Where(g => MessageCatalog.TopicsOf(g).Contains(topic.Name)).ToList();
            if (groups.Count == 0)
                continue;
            if (!topic.IsKeyed)
            {
                await DeclareRoutedSourceAsync(channel, topic, null, topic.Name, groups, singleActive: false, options, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }

            for (var p = 0; p < options.PartitionsOf(topic.Name); p++)
            {
                await DeclareRoutedSourceAsync(channel, topic, p, TopologyNames.PartitionExchange(topic.Name, p), groups, singleActive: true, options,
                    cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var tier in options.DelayTiers)
        {
            var name = TopologyNames.DelayExchange(tier);
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            // Dead-lettering to the default exchange without a fixed routing key re-uses the routing key the message was
            // published with, which the scheduler sets to the destination queue's name.
            var arguments = new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (long)tier.TotalMilliseconds,
                ["x-dead-letter-exchange"] = string.Empty,
            };
            if (IsQuorum(options))
            {
                // A redelivery waiting here must survive the loss of a node like any other message. A quorum queue's
                // dead-lettering is at-most-once unless asked otherwise, and at-least-once needs reject-publish overflow.
                arguments["x-queue-type"] = "quorum";
                arguments["x-dead-letter-strategy"] = "at-least-once";
                arguments["x-overflow"] = "reject-publish";
            }

            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.QueueBindAsync(name, name, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Routes <paramref name="source"/> (a partition exchange, or an unkeyed topic's exchange) to the queues of
    /// <paramref name="groups"/> by message type: source → type router (headers exchange; one binding per consumed type and
    /// group, and one per known type nobody consumes to <see cref="TopologyNames.Discard"/>) → each group's queue. What the
    /// router cannot place (no type header, an unknown type) goes through its alternate exchange to every group's queue, so a
    /// publisher that does not set the header costs deliveries, never a message. Per-key order holds: a publish is routed
    /// through the whole graph at once, whatever the path.</summary>
    static async Task DeclareRoutedSourceAsync(IChannel channel, TopicDefinition topic, int? partition, string source, IReadOnlyList<string> groups,
        bool singleActive, MessagingOptions options, CancellationToken cancellationToken)
    {
        var router = TopologyNames.TypeRouter(source);
        var fallback = TopologyNames.UntypedFallback(source);
        await channel.ExchangeDeclareAsync(fallback, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(router, ExchangeType.Headers, durable: true, autoDelete: false,
            new Dictionary<string, object?> { ["alternate-exchange"] = fallback }, cancellationToken: cancellationToken).ConfigureAwait(false);

        var topicTypes = MessageCatalog.ContractTypes.Where(t => MessageCatalog.Describe(t).Topic.Name == topic.Name).ToList();
        var consumed = new HashSet<Type>();
        foreach (var group in groups)
        {
            var queue = TopologyNames.GroupQueue(group, topic.Name, partition);
            await DeclareGroupQueueAsync(channel, queue, singleActive, options, cancellationToken).ConfigureAwait(false);
            await channel.ExchangeBindAsync(queue, fallback, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            var groupTypes = MessageCatalog.TypesOf(group, topic.Name);
            foreach (var type in groupTypes)
            {
                consumed.Add(type);
                await channel.ExchangeBindAsync(queue, router, string.Empty, TypeBinding(type), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            // A type an earlier version of the group consumed and this one does not would still be routed to its queue (and
            // skipped there, unread): the binding goes. Unbinding what was never bound is a no-op.
            foreach (var type in topicTypes.Except(groupTypes))
                await channel.ExchangeUnbindAsync(queue, router, string.Empty, TypeBinding(type), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        foreach (var type in topicTypes)
        {
            if (consumed.Contains(type))
                await channel.ExchangeUnbindAsync(TopologyNames.Discard, router, string.Empty, TypeBinding(type), cancellationToken: cancellationToken).ConfigureAwait(false);
            else
                await channel.ExchangeBindAsync(TopologyNames.Discard, router, string.Empty, TypeBinding(type), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        // The router is complete before the source feeds it; only then does the direct source → queue binding of earlier
        // versions (every message to every group) go, so no message published meanwhile misses a group (some reach it twice,
        // which its inbox absorbs).
        await channel.ExchangeBindAsync(router, source, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var group in groups)
        {
            await channel.ExchangeUnbindAsync(TopologyNames.GroupQueue(group, topic.Name, partition), source, string.Empty,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The arguments of a type router's binding for <paramref name="type"/>: the type header must equal its name.</summary>
    public static Dictionary<string, object?> TypeBinding(Type type) => new()
    {
        ["x-match"] = "all",
        [OutboxPublisher.MessageTypeHeader] = type.FullName,
    };

    /// <summary>Declares a group's queue exactly as MassTransit's receive endpoint will (a fan-out exchange of the queue's name
    /// bound to the queue), so the endpoint's own declarations find it identical.</summary>
    static async Task DeclareGroupQueueAsync(IChannel channel, string queue, bool singleActive, MessagingOptions options,
        CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, QueueArguments(singleActive, options),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(queue, queue, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    static async Task DeclareLogStreamAsync(IChannel channel, string stream, string source, MessagingOptions options, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(stream, durable: true, exclusive: false, autoDelete: false, LogStreamArguments(options),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(stream, source, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The arguments every declaration of a retained-log stream must use (a redeclaration with others is refused).</summary>
    public static Dictionary<string, object?> LogStreamArguments(MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Dictionary<string, object?> { ["x-queue-type"] = "stream", ["x-max-age"] = options.LogRetention };
    }

    static Dictionary<string, object?> QueueArguments(bool singleActive, MessagingOptions options)
    {
        var arguments = new Dictionary<string, object?>();
        if (singleActive)
            arguments["x-single-active-consumer"] = true;
        if (IsQuorum(options))
            arguments["x-queue-type"] = "quorum";
        return arguments;
    }

    static bool IsQuorum(MessagingOptions options) => string.Equals(options.QueueType, "quorum", StringComparison.OrdinalIgnoreCase);
}
