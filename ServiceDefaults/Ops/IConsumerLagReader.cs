namespace ECommerce.ServiceDefaults.Ops;

/// <summary>How far behind each partition of the service's consumer groups is, as <c>/ops/consumers</c> and the lag gauge
/// report it.</summary>
public interface IConsumerLagReader
{
    Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken);
}
