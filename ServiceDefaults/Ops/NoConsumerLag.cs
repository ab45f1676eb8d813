namespace ECommerce.ServiceDefaults.Ops;

/// <summary>The in-memory transport keeps no offsets: nothing to report.</summary>
internal sealed class NoConsumerLag : IConsumerLagReader
{
    public Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(new List<ConsumerLag>());
}
