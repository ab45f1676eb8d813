namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Publishes a whole relay batch at once on a broker transport (Kafka), instead of row by row.</summary>
public interface IOutboxBatchPublisher
{
    /// <summary>Completes once batches can be handed over (the topics exist).</summary>
    Task WaitReadyAsync(CancellationToken cancellationToken);

    /// <summary>Hands <paramref name="rows"/> (in sequence order) to the broker's client before it returns, and returns the task
    /// of their confirmations: the rows the broker took (to delete) and the rows that failed (to retry). Rows of one partition
    /// key are written in the order given, across calls too: a batch handed over after another is written after it, so the
    /// relay may read and hand over the next batch while this one is being confirmed.</summary>
    Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> Publish(
        IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken);
}
