using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.Contracts.Topology;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Creates the suite's topics explicitly (the broker is configured not to create a topic on first use, so a typo
/// fails instead of making a new topic): every topic of DESIGN §2 with its partition count and retention, and each known
/// consumer group's retry and dead-letter topics. Replication follows the cluster: three replicas with two in sync on a
/// cluster of three or more brokers, one otherwise. Idempotent; an existing topic is left as it is.</summary>
public static class KafkaTopics
{
    /// <summary>Creates whatever is missing of the suite's topics (<see cref="TopicCatalog"/>) and of the failure topics of
    /// every group <see cref="ConsumerGroups"/> lists; returns the names it created.</summary>
    public static Task<IReadOnlyList<string>> EnsureAsync(string bootstrapServers, MessagingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var topics = TopicCatalog.All.Select(t => Domain(options, t))
            .Concat(ConsumerGroups.All.Keys.SelectMany(g => Failure(options, g)))
            .ToList();
        return CreateMissingAsync(bootstrapServers, topics, cancellationToken);
    }

    /// <summary>The topics one group consumes and produces to (for a group <see cref="ConsumerGroups"/> does not list: a
    /// test's, a tool's), created if missing.</summary>
    public static Task<IReadOnlyList<string>> EnsureGroupAsync(string bootstrapServers, MessagingOptions options, string group,
        IEnumerable<string> consumedTopics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var topics = consumedTopics.Select(t => Domain(options, TopicCatalog.Get(t))).Concat(Failure(options, group)).ToList();
        return CreateMissingAsync(bootstrapServers, topics, cancellationToken);
    }

    /// <summary>Three replicas on a cluster of three or more brokers, one otherwise.</summary>
    public static short ReplicationFactorFor(int brokers) => (short)(brokers >= 3 ? 3 : 1);

    static TopicSpec Domain(MessagingOptions options, TopicDefinition topic) => new(
        KafkaNames.Topic(options, topic.Name),
        options.PartitionsOf(topic.Name),
        // Command channels are work queues: a week is as long as a command can usefully wait.
        options.LogRetention);

    /// <summary>A group's retry tiers and dead-letter topic. Their records keep the key of the record that failed, so as many
    /// partitions as the widest domain topic spreads them as widely; a dead letter is kept for the domain topics' retention
    /// too (the table in the service's database keeps it until re-driven or discarded).</summary>
    static IEnumerable<TopicSpec> Failure(MessagingOptions options, string group)
    {
        var partitions = TopicCatalog.All.Max(t => options.PartitionsOf(t.Name));
        return KafkaNames.FailureTopics(options, group).Select(name => new TopicSpec(name, partitions, options.LogRetention));
    }

    static async Task<IReadOnlyList<string>> CreateMissingAsync(string bootstrapServers, IReadOnlyList<TopicSpec> topics,
        CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var replication = ReplicationFactorFor(metadata.Brokers.Count);
        var missing = topics.Where(t => !existing.Contains(t.Name)).DistinctBy(t => t.Name).ToList();
        if (missing.Count == 0)
            return [];

        cancellationToken.ThrowIfCancellationRequested();
        var specifications = missing.Select(t => new TopicSpecification
        {
            Name = t.Name,
            NumPartitions = t.Partitions,
            ReplicationFactor = replication,
            Configs = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["retention.ms"] = ((long)t.Retention.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                ["cleanup.policy"] = "delete",
                ["min.insync.replicas"] = replication >= 3 ? "2" : "1",
            },
        }).ToList();
        try
        {
            await admin.CreateTopicsAsync(specifications).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another instance created some of them first.
        }

        return missing.Select(t => t.Name).ToList();
    }

    sealed record TopicSpec(string Name, int Partitions, TimeSpan Retention);
}
