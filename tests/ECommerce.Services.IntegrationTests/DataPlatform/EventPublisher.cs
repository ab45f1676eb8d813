using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Records;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>Produces events exactly as the services' outbox relays do (<see cref="ContractProducer"/>): the planned message id
/// as the message id, each keyed event with its partition key as the record key (an unkeyed one without a key), the
/// MassTransit envelope and headers, an idempotent producer acknowledged by the in-sync replicas.</summary>
public sealed class EventPublisher(ServiceEnvironment environment) : IDisposable
{
    readonly ContractProducer _producer = new(environment.BootstrapServers, environment.Messaging);

    /// <summary>Produces <paramref name="events"/>, many in flight at once, and returns once the brokers have them all.</summary>
    public Task PublishAsync(IEnumerable<PlannedEvent> events, int concurrency = 64) =>
        Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (e, ct) => await _producer.ProduceAsync(e.Message, e.MessageId, ct).ConfigureAwait(false));

    public void Dispose() => _producer.Dispose();
}
