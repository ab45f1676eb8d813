namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Publishes a whole relay batch at once on a broker transport (Kafka), instead of row by row.</summary>
public interface IOutboxBatchPublisher
{
    /// <summary>Publishes <paramref name="rows"/> (in sequence order) and returns the rows the broker took (to delete) and the
    /// rows that failed (to retry). Rows of one partition key are written in the order given.</summary>
    Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> PublishAsync(
        IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken);
}
