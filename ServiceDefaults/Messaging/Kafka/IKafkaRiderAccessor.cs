namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The running rider's consumer groups, for health, lag and ownership reports (none before the bus starts).</summary>
internal interface IKafkaRiderAccessor
{
    IReadOnlyList<KafkaGroupConsumer> Groups { get; }
}
