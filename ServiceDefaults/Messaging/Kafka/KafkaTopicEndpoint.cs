using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>One <see cref="IKafkaFactoryConfigurator.TopicEndpoint(string, string, Action{IReceiveEndpointConfigurator})"/> as
/// declared.</summary>
internal sealed record KafkaTopicEndpoint(string Topic, string Group, Action<IReceiveEndpointConfigurator> Configure, int RecordsPerTransaction = 1)
{
    /// <summary>The receive endpoint's name (also the in-memory transport's queue).</summary>
    public string Name => $"{Group}.{Topic}";
}
