using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>Publishes events exactly as the services' outbox relays do: an <see cref="OutboxMessage"/> row (id = message id)
/// through the suite's <see cref="OutboxPublisher"/>, on a MassTransit bus of its own, so each keyed event goes to its topic's
/// consistent-hash exchange with its partition key as routing key, with publisher confirms.</summary>
public sealed class EventPublisher : IAsyncDisposable
{
    readonly IBusControl _bus;
    readonly OutboxPublisher _publisher;

    EventPublisher(IBusControl bus)
    {
        _bus = bus;
        _publisher = new OutboxPublisher(bus, new TransportAddresses(MessagingTransport.RabbitMq));
    }

    public static async Task<EventPublisher> StartAsync(Uri brokerUri)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(brokerUri, h => h.ConnectionName("data-platform-test-producer")));
        await bus.StartAsync().ConfigureAwait(false);
        return new EventPublisher(bus);
    }

    public Task PublishAsync(IEnumerable<PlannedEvent> events, int concurrency = 32) =>
        Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (e, ct) => await _publisher.PublishAsync(Row(e), ct).ConfigureAwait(false));

    static OutboxMessage Row(PlannedEvent e)
    {
        return OutboxBatch.Row(e.Message, e.MessageId, DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync().ConfigureAwait(false);
}
