namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>The in-memory transport exposes no queue depths.</summary>
internal sealed class UnknownQueueStatsReader : IQueueStatsReader
{
    public Task<QueueStats> ReadAsync(string queue, CancellationToken cancellationToken) =>
        Task.FromResult(new QueueStats(true, null, null, null));
}
