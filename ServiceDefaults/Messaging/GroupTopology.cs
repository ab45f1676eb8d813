using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.Topology;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>The queues of one consumer group on the configured transport, and which of them this instance subscribes to
/// first (its share of partitions) and which only as standby.</summary>
public sealed class GroupTopology
{
    internal GroupTopology(string group, MessagingOptions options, IEnumerable<string> topics, IEnumerable<Type> consumedTypes)
    {
        Group = group;
        ConsumedTypes = consumedTypes.Distinct().ToList();
        var bindings = new List<QueueBinding>();
        foreach (var topicName in topics.Distinct(StringComparer.Ordinal))
        {
            var topic = TopicCatalog.Get(topicName);
            // The in-memory transport has no consistent-hash exchange: one queue per topic, consumed one at a time, keeps
            // per-key order the same way a single partition does.
            if (!topic.IsKeyed || options.Transport == MessagingTransport.InMemory)
            {
                bindings.Add(new QueueBinding(group, topic.Name, null, TopologyNames.GroupQueue(group, topic.Name, null), Immediate: true));
                continue;
            }

            var partitions = options.PartitionsOf(topic.Name);
            var instances = Math.Max(1, options.InstanceCount);
            for (var p = 0; p < partitions; p++)
            {
                bindings.Add(new QueueBinding(group, topic.Name, p, TopologyNames.GroupQueue(group, topic.Name, p),
                    Immediate: p % instances == options.InstanceOrdinal % instances));
            }
        }

        Queues = bindings;
    }

    public string Group { get; }

    /// <summary>The message types the group's consumers and sagas consume, on every topic.</summary>
    public IReadOnlyList<Type> ConsumedTypes { get; }

    public IReadOnlyList<QueueBinding> Queues { get; }
}
