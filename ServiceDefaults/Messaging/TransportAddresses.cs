using ECommerce.Contracts.Topology;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Where messages are sent on the configured transport.</summary>
public sealed class TransportAddresses(MessagingTransport transport)
{
    public MessagingTransport Transport { get; } = transport;

    public Uri Topic(TopicDefinition topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Transport == MessagingTransport.RabbitMq
            ? new Uri($"exchange:{topic.Name}?type={(topic.IsKeyed ? "x-consistent-hash" : "fanout")}")
            : new Uri($"exchange:{topic.Name}");
    }

    /// <summary>A receive endpoint's queue. On RabbitMQ MassTransit binds each receive queue to an exchange of the same
    /// name, so sending there needs no knowledge of the queue's arguments (single-active-consumer, quorum).</summary>
    public Uri Queue(string queue) =>
        Transport == MessagingTransport.RabbitMq ? new Uri($"exchange:{queue}") : new Uri($"queue:{queue}");
}
