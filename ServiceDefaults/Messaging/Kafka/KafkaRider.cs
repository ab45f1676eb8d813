using MassTransit;
using MassTransit.Transports;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The rider MassTransit starts and stops with the bus: one consumer-group loop per group of topic endpoints.</summary>
internal sealed class KafkaRider(IReadOnlyList<KafkaGroupConsumer> groups) : IRiderControl, IKafkaRider
{
    public IReadOnlyList<(string Topic, int Partition)> Assignment => groups.SelectMany(g => g.Assignment).ToList();

    public IReadOnlyList<KafkaGroupConsumer> Groups => groups;

    public RiderHandle Start(CancellationToken cancellationToken = default)
    {
        foreach (var group in groups)
            group.Start();
        return new Handle(groups);
    }

    /// <summary>The bus's health includes its endpoints' health; the rider's loops report theirs through the service's
    /// health checks instead (see <see cref="KafkaHealthCheck"/>), since they have no MassTransit receive endpoint.</summary>
    public IEnumerable<EndpointHealthResult> CheckEndpointHealth() => [];

    sealed class Handle(IReadOnlyList<KafkaGroupConsumer> groups) : RiderHandle
    {
        public Task Ready => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken = default)
        {
            foreach (var group in groups)
                await group.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
