using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The service's one idempotent producer (see <see cref="KafkaClients.Producer"/>), shared by the outbox relay, the
/// failure policy (retry and dead-letter topics) and re-drives.</summary>
public sealed partial class KafkaProducer : IDisposable
{
    public KafkaProducer(string bootstrapServers, string clientId, ILogger<KafkaProducer> logger)
    {
        Producer = new ProducerBuilder<string?, byte[]>(KafkaClients.Producer(bootstrapServers, clientId))
            .SetLogHandler((_, message) => KafkaClients.Log(logger, message))
            .SetErrorHandler((_, error) => LogProducerError(logger, error.Code, error.Reason))
            .Build();
    }

    public IProducer<string?, byte[]> Producer { get; }

    /// <summary>Waits (briefly) for what is still in flight, then closes the producer.</summary>
    public void Dispose()
    {
        Producer.Flush(TimeSpan.FromSeconds(10));
        Producer.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Kafka producer error {Code}: {Reason}")]
    static partial void LogProducerError(ILogger logger, ErrorCode code, string reason);
}
