using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>What <see cref="KafkaRiderExtensions.UsingKafka"/> configures, in the shape of MassTransit's Kafka rider.</summary>
public interface IKafkaFactoryConfigurator
{
    /// <summary>Consumes <paramref name="topic"/> (a topic of <see cref="ECommerce.Contracts.Topology.Topics"/>) as consumer
    /// group <paramref name="groupId"/>, with the consumers and sagas <paramref name="configure"/> puts on the endpoint. A
    /// record of a type the group does not consume is skipped; the others are dispatched one at a time per partition, and
    /// the partition's offset is committed only after the dispatch (and so the consumer's transaction) completed.</summary>
    void TopicEndpoint(string topic, string groupId, Action<IReceiveEndpointConfigurator> configure);
}
