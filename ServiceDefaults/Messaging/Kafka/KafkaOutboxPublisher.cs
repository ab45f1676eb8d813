using System.Diagnostics;
using Confluent.Kafka;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.Outbox;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Produces a relay batch to Kafka with one idempotent producer: every row at once (the producer batches them per
/// partition and keeps a partition's records in order, retries included), the row id as the message id, the partition key
/// as the record key; then waits for every delivery report. A row counts as sent once its delivery is reported with an offset
/// (<see cref="KafkaDelivery"/>). The
/// producer never gives a record up (see <see cref="KafkaClients.Producer"/>), so a key's rows are never written with a gap:
/// while the broker is away the pass simply waits.</summary>
internal sealed class KafkaOutboxPublisher : IOutboxBatchPublisher
{
    readonly KafkaTopicsInitializer _topics;

    public KafkaOutboxPublisher(KafkaProducer producer, Microsoft.Extensions.Options.IOptions<MessagingOptions> options, KafkaTopicsInitializer topics)
    {
        _producer = producer.Producer;
        _options = options.Value;
        _topics = topics;
    }

    readonly IProducer<string?, byte[]> _producer;
    readonly MessagingOptions _options;

    public Task WaitReadyAsync(CancellationToken cancellationToken) => _topics.Ready.WaitAsync(cancellationToken);

    public Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> Publish(
        IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var deliveries = new List<(OutboxMessage Row, Task<DeliveryResult<string?, byte[]>> Delivery)>(rows.Count);
        var failed = new List<(OutboxMessage Row, Exception Error)>();
        var sentTime = DateTime.UtcNow;
        foreach (var row in rows)
        {
            try
            {
                deliveries.Add((row, Produce(row, sentTime, cancellationToken)));
            }
            catch (Exception e) when (e is InvalidOperationException or KafkaException or System.Text.Json.JsonException)
            {
                // A row that cannot even be enveloped (an unknown type, a corrupt body) fails alone and stays pending.
                failed.Add((row, e));
            }
        }

        return ConfirmAsync(deliveries, failed);
    }

    static async Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> ConfirmAsync(
        List<(OutboxMessage Row, Task<DeliveryResult<string?, byte[]>> Delivery)> deliveries, List<(OutboxMessage Row, Exception Error)> failed)
    {
        var sent = new List<OutboxMessage>(deliveries.Count);
        foreach (var (row, delivery) in deliveries)
        {
            try
            {
                await delivery.ConfigureAwait(false);
                sent.Add(row);
            }
            catch (ProduceException<string?, byte[]> e)
            {
                failed.Add((row, e));
            }
        }

        return (sent, failed);
    }

    Task<DeliveryResult<string?, byte[]>> Produce(OutboxMessage row, DateTime sentTime, CancellationToken cancellationToken)
    {
        var topic = KafkaNames.Topic(_options, row.Topic);
        // The relay runs outside the request that produced the row: parent the produce on the row's stored trace context so
        // the trace continues from the HTTP request into the consumers.
        ActivityContext.TryParse(row.TraceParent, row.TraceState, isRemote: true, out var parent);
        using var activity = MessagingDiagnostics.Source.StartActivity($"{row.Topic} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", row.Topic);
        activity?.SetTag("messaging.message.id", row.Id.ToString());
        if (row.PartitionKey is not null)
            activity?.SetTag("messaging.kafka.message.key", row.PartitionKey);

        return _producer.ProduceConfirmedAsync(topic, OutboxRecord.From(row, topic, activity?.Id, sentTime), cancellationToken);
    }
}
