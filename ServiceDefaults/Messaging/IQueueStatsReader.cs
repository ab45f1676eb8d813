namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Reads a queue's depth from the broker: the consumer-lag figures of <c>/ops/consumers</c>.</summary>
public interface IQueueStatsReader
{
    Task<QueueStats> ReadAsync(string queue, CancellationToken cancellationToken);
}
