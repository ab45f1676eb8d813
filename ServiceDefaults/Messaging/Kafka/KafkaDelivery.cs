using Confluent.Kafka;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Produces a record and takes only an acknowledgement with an offset as proof that the broker wrote it.
/// <para>An idempotent producer's acknowledgement names the offset its record got, except when the broker answers a batch
/// whose sequence numbers it takes for a duplicate of one it already holds: then the record is reported persisted with no
/// offset. That is meant for a retry of a batch that had in fact been written, but on a broker that had just started (the
/// producer waiting for its producer id: "Coordinator load in progress") such acknowledgements came back for records that
/// are in no partition — 3 of 220 records produced right after the start in one run of the data platform's integration
/// test, 2 of 3,300 in another, every other record acknowledged at an offset of its own. So a record acknowledged without
/// an offset is produced again. At least once is the suite's contract (every consumer deduplicates by message id); the
/// price, in that rare case, is that the copy lands after records of its key written meanwhile.</para></summary>
public static class KafkaDelivery
{
    public static Task<DeliveryResult<TKey, TValue>> ProduceConfirmedAsync<TKey, TValue>(this IProducer<TKey, TValue> producer, string topic,
        Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return ConfirmAsync(() => producer.ProduceAsync(topic, message, cancellationToken));
    }

    public static Task<DeliveryResult<TKey, TValue>> ProduceConfirmedAsync<TKey, TValue>(this IProducer<TKey, TValue> producer, TopicPartition partition,
        Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return ConfirmAsync(() => producer.ProduceAsync(partition, message, cancellationToken));
    }

    static async Task<DeliveryResult<TKey, TValue>> ConfirmAsync<TKey, TValue>(Func<Task<DeliveryResult<TKey, TValue>>> produce)
    {
        while (true)
        {
            var result = await produce().ConfigureAwait(false);
            if (result.Offset != Offset.Unset)
                return result;
            MessagingDiagnostics.DeliveriesUnconfirmed.Add(1);
        }
    }
}
