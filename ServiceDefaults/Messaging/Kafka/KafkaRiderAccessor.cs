namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Holds the rider once the bus has connected it (none on a service without topic endpoints).</summary>
internal sealed class KafkaRiderAccessor : IKafkaRiderAccessor
{
    volatile KafkaRider? _rider;

    public IReadOnlyList<KafkaGroupConsumer> Groups => _rider?.Groups ?? [];

    public void Connect(KafkaRider rider) => _rider = rider;
}
