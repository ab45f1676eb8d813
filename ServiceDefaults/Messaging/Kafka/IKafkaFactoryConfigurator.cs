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

    /// <summary>As <see cref="TopicEndpoint(string, string, Action{IReceiveEndpointConfigurator})"/>, and the records a
    /// partition has already fetched are handled up to <paramref name="recordsPerTransaction"/> at a time in one transaction of
    /// the service's <see cref="Persistence.MessagingDbContext"/> (<see cref="Persistence.MessagingDbContext.BeginBatchAsync"/>),
    /// still one after another and in order, their offsets committed after it. For consumers whose unit of work joins a batch
    /// (the EF saga repository's, <see cref="Inbox.TransactionalConsumer{TMessage,TDbContext}"/>): a transaction's fixed cost
    /// (on SQLite the write lock, the commit's WAL frames, the page cache read again) is paid once per batch. A record that
    /// fails rolls the batch back, and its records are handled again one at a time with the endpoint's whole failure policy.</summary>
    void TopicEndpoint(string topic, string groupId, int recordsPerTransaction, Action<IReceiveEndpointConfigurator> configure);
}
