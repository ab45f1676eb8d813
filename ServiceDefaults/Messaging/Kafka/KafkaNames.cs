using System.Globalization;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The one place Kafka topic and consumer group names are made. A domain topic is the topic of DESIGN §2 under its
/// own name; each consumer group has retry topics (one per redelivery tier) and a dead-letter topic of its own.</summary>
public static class KafkaNames
{
    public static string Topic(MessagingOptions options, string topic)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TopicPrefix + topic;
    }

    public static string Group(MessagingOptions options, string group)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TopicPrefix + group;
    }

    /// <summary>Tier <paramref name="tier"/> (1-based) of the group's retry topics.</summary>
    public static string RetryTopic(MessagingOptions options, string group, int tier) =>
        Group(options, group) + ".retry-" + tier.ToString(CultureInfo.InvariantCulture);

    public static string DeadLetterTopic(MessagingOptions options, string group) => Group(options, group) + ".dead-letters";

    /// <summary>Every topic of the group's failure policy: its retry tiers, then its dead-letter topic.</summary>
    public static IReadOnlyList<string> FailureTopics(MessagingOptions options, string group)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. Enumerable.Range(1, options.RedeliveryIntervals.Length).Select(t => RetryTopic(options, group, t)), DeadLetterTopic(options, group)];
    }
}
