using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;

namespace ECommerce.ServiceDefaults.Ops;

/// <summary>How far behind each of the group's partitions is, as <c>/ops/consumers</c> and the lag gauge report it.</summary>
public sealed class ConsumerLagReader(GroupTopology topology, IQueueStatsReader stats)
{
    public async Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken)
    {
        var result = new List<ConsumerLag>(topology.Queues.Count);
        foreach (var queue in topology.Queues)
        {
            var main = await stats.ReadAsync(queue.Queue, cancellationToken).ConfigureAwait(false);
            var error = await stats.ReadAsync(TopologyNames.ErrorQueue(queue.Queue), cancellationToken).ConfigureAwait(false);
            result.Add(new ConsumerLag(queue.Group, queue.Topic, queue.Partition, queue.Queue, main.Ready, main.Unacked, main.Consumers, error.Ready));
        }

        return result;
    }
}
