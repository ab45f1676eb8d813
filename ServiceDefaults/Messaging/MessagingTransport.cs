namespace ECommerce.ServiceDefaults.Messaging;

public enum MessagingTransport
{
    /// <summary>MassTransit's in-memory transport, for component tests: a receive endpoint per topic, no broker.</summary>
    InMemory,

    /// <summary>Apache Kafka: <c>ConnectionStrings:messaging</c> names the bootstrap servers.</summary>
    Kafka,
}
