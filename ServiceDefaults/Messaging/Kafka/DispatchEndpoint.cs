using MassTransit.Transports;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>A topic endpoint ready to take records: its dispatcher and the contract types its group is given.</summary>
internal sealed record DispatchEndpoint(KafkaTopicEndpoint Definition, IReceiveEndpointDispatcher Dispatcher, IReadOnlySet<string> AcceptedTypes)
{
    public string Topic => Definition.Topic;

    /// <summary>A record without a type header is dispatched: MassTransit reads the type from the envelope.</summary>
    public bool Accepts(string? messageType) => messageType is null || AcceptedTypes.Contains(messageType);
}
