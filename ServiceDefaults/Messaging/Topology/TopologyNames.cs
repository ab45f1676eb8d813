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

    /// <summary>The headers exchange that routes a partition's (or an unkeyed topic's) messages to the consumer groups that
    /// consume their type. <paramref name="source"/> is the partition exchange or the unkeyed topic's exchange.</summary>
    public static string TypeRouter(string source) => source + ".types";

    /// <summary>Where <see cref="TypeRouter"/> sends what no type binding matched (no type header, a type it does not know):
    /// every group of the topic, as before there was type routing, so a message is never lost for want of a header.</summary>
    public static string UntypedFallback(string source) => source + ".untyped";

    /// <summary>An exchange bound to nothing: known types no group consumes are routed here, i.e. only to the retained log.</summary>
    public const string Discard = "ecommerce.discard";

    public static string ErrorQueue(string queue) => queue + "_error";

    /// <summary>The queue a receive endpoint's or a fault's address names: the last segment of its path
    /// (<c>rabbitmq://host/vhost/queue</c>, <c>queue:queue</c>); empty when the path has none.</summary>
    public static string QueueOf(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var path = address.AbsolutePath.TrimEnd('/');
        return path[(path.LastIndexOf('/') + 1)..];
    }

    /// <summary>The retained log's stream of a domain topic's partition (or of a whole unkeyed topic). A stream per partition:
    /// the consistent-hash exchange does not record which partition it chose, so only the stream a message sits in tells it.</summary>
    public static string LogStream(string topic, int? partition) => partition is { } p ? $"log.{topic}.p{p}" : $"log.{topic}";

    public static string DelayExchange(TimeSpan tier) => $"ecommerce.delay.{(long)tier.TotalMilliseconds}ms";

    public static string DelayQueue(TimeSpan tier) => DelayExchange(tier);

    public static string Exchange(TopicDefinition topic) => topic.Name;
}
