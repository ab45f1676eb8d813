using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Ready when the brokers answer a metadata request and no consumer-group loop of the service has failed.</summary>
internal sealed class KafkaHealthCheck(string bootstrapServers, IKafkaRiderAccessor rider) : IHealthCheck, IDisposable
{
    readonly IAdminClient _admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (rider.Groups.FirstOrDefault(g => g.Fault is not null) is { } failed)
            return Task.FromResult(HealthCheckResult.Unhealthy($"The consumer loop of group '{failed.Group}' stopped.", failed.Fault));
        try
        {
            var metadata = _admin.GetMetadata(TimeSpan.FromSeconds(3));
            return Task.FromResult(metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s)")
                : HealthCheckResult.Unhealthy("The cluster reports no broker."));
        }
        catch (KafkaException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"No broker answers: {e.Error.Reason}"));
        }
    }

    public void Dispose() => _admin.Dispose();
}
