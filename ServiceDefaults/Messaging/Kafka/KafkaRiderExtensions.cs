using ECommerce.Contracts.Topology;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

public static class KafkaRiderExtensions
{
    /// <summary>Feeds the rider's consumers and sagas from Kafka topics, as MassTransit's Kafka rider does
    /// (<c>AddRider(r => { r.AddConsumer&lt;T&gt;(); r.UsingKafka((context, k) => k.TopicEndpoint(topic, group, e =>
    /// e.ConfigureConsumer&lt;T&gt;(context))); })</c>). On <see cref="MessagingTransport.InMemory"/> (component tests) each
    /// topic endpoint becomes an in-memory receive endpoint instead, with the same consumers, retry and dead-lettering.</summary>
    public static void UsingKafka(this IRiderRegistrationConfigurator rider, Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure)
    {
        ArgumentNullException.ThrowIfNull(rider);
        ArgumentNullException.ThrowIfNull(configure);
        rider.SetRiderFactory(new KafkaRiderFactory(configure));
    }

    /// <summary>The topic endpoints <paramref name="configure"/> declares, gathered.</summary>
    internal static IReadOnlyList<KafkaTopicEndpoint> Endpoints(IRiderRegistrationContext context,
        Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure)
    {
        var collector = new Collector();
        configure(context, collector);
        return collector.Endpoints;
    }

    sealed class Collector : IKafkaFactoryConfigurator
    {
        public List<KafkaTopicEndpoint> Endpoints { get; } = [];

        public void TopicEndpoint(string topic, string groupId, Action<IReceiveEndpointConfigurator> configure) =>
            TopicEndpoint(topic, groupId, 1, configure);

        public void TopicEndpoint(string topic, string groupId, int recordsPerTransaction, Action<IReceiveEndpointConfigurator> configure)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
            ArgumentOutOfRangeException.ThrowIfLessThan(recordsPerTransaction, 1);
            ArgumentNullException.ThrowIfNull(configure);
            TopicCatalog.Get(topic);
            if (Endpoints.Any(e => e.Topic == topic && e.Group == groupId))
                throw new InvalidOperationException($"Topic '{topic}' is declared twice for group '{groupId}': configure both on one endpoint.");
            Endpoints.Add(new KafkaTopicEndpoint(topic, groupId, configure, recordsPerTransaction));
        }
    }
}
