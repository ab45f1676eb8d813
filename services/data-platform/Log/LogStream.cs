using ECommerce.ServiceDefaults.Messaging.Topology;

namespace ECommerce.DataPlatform.Log;

/// <summary>One stream of the retained log: a partition of a keyed domain topic, or a whole unkeyed one. Like a Kafka
/// partition it has its own offsets, and the consumer keeps its position in each.</summary>
public sealed record LogStream(string Topic, int? Partition)
{
    /// <summary>The stream queue's name (<see cref="TopologyNames.LogStream"/>).</summary>
    public string Queue => TopologyNames.LogStream(Topic, Partition);
}
