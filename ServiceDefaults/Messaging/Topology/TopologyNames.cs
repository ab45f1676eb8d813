using ECommerce.Contracts.Topology;

namespace ECommerce.ServiceDefaults.Messaging.Topology;

/// <summary>The one place exchange and queue names are made.</summary>
public static class TopologyNames
{
    public static string PartitionExchange(string topic, int partition) => $"{topic}.p{partition}";

    /// <summary>Group <paramref name="group"/>'s queue for one partition of a keyed topic, or (partition null) its single
    /// competing-consumer queue on an unkeyed topic.</summary>
    public static string GroupQueue(string group, string topic, int? partition) =>
        partition is { } p ? $"{group}.{topic}.p{p}" : $"{group}.{topic}";

    public static string ErrorQueue(string queue) => queue + "_error";

    /// <summary>The retained log's stream of a domain topic's partition (or of a whole unkeyed topic). A stream per partition:
    /// the consistent-hash exchange does not record which partition it chose, so only the stream a message sits in tells it.</summary>
    public static string LogStream(string topic, int? partition) => partition is { } p ? $"log.{topic}.p{p}" : $"log.{topic}";

    public static string DelayExchange(TimeSpan tier) => $"ecommerce.delay.{(long)tier.TotalMilliseconds}ms";

    public static string DelayQueue(TimeSpan tier) => DelayExchange(tier);

    public static string Exchange(TopicDefinition topic) => topic.Name;
}
