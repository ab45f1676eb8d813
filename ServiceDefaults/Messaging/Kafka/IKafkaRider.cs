using MassTransit.Transports;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The suite's Kafka rider: the bus's consumers and sagas fed from Kafka topics (see
/// <see cref="KafkaRiderExtensions.UsingKafka"/>).</summary>
public interface IKafkaRider : IRider
{
    /// <summary>The partitions this instance's consumer currently owns (topic without the suite's prefix).</summary>
    IReadOnlyList<(string Topic, int Partition)> Assignment { get; }
}
