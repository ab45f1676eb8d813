using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>Asks the brokers about a test's topics and consumer groups, as an operator's tools would: where a group's commits
/// stand, which broker leads a partition and how many replicas are in sync, a topic's configuration. Straight from the brokers rather than through a service's <c>/ops/consumers</c>, so that a check does not depend on the
/// instance it is about. It never sends a request to a group coordinator through the admin client (DescribeConsumerGroups,
/// ListConsumerGroupOffsets, DeleteGroups): librdkafka 2.16 can abort or crash the asking process when such a request meets a
/// coordinator that is loading or a broker connection that dies (librdkafka issue #4605), which the fault tests provoke.</summary>
public sealed class GroupProbe(string bootstrapServers, MessagingOptions messaging) : IDisposable
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    readonly IAdminClient _admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers))
        .SetLogHandler((_, _) => { })
        .SetErrorHandler((_, _) => { })
        .Build();

    /// <summary>The group's committed offset and the end offset of every partition of <paramref name="topics"/>, read as
    /// <see cref="GroupOffsets"/> reads them.</summary>
    public async Task<IReadOnlyList<PartitionPosition>> PositionsAsync(string group, IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var partitions = topics.SelectMany(t => Enumerable.Range(0, messaging.PartitionsOf(t))
            .Select(p => new TopicPartition(KafkaNames.Topic(messaging, t), p))).ToList();
        var committed = await Task.Run(() =>
        {
            using var reader = GroupOffsets.CommitReader(bootstrapServers, KafkaNames.Group(messaging, group), "test-offset-reader");
            return reader.Committed(partitions, RequestTimeout).ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
        }).ConfigureAwait(false);
        var ends = await GroupOffsets.EndsAsync(_admin, partitions, RequestTimeout).ConfigureAwait(false);
        return partitions.Select(p => new PartitionPosition(p.Topic[messaging.TopicPrefix.Length..], p.Partition.Value,
                committed.TryGetValue(p, out var offset) && offset >= 0 ? offset : null, ends.GetValueOrDefault(p)))
            .ToList();
    }

    /// <summary>Each partition of <paramref name="topic"/> as the cluster's metadata has it: the node id of its leader, how many
    /// replicas it has and how many of them are in sync.</summary>
    public IReadOnlyList<(int Partition, int Leader, int Replicas, int InSync)> PartitionsOf(string topic) =>
        _admin.GetMetadata(KafkaNames.Topic(messaging, topic), RequestTimeout).Topics.Single().Partitions
            .Select(p => (p.PartitionId, p.Leader, p.Replicas.Length, p.InSyncReplicas.Length))
            .OrderBy(p => p.PartitionId)
            .ToList();

    /// <summary>The value of <paramref name="key"/> in <paramref name="topic"/>'s configuration.</summary>
    public async Task<string?> TopicConfigAsync(string topic, string key) =>
        (await TopicConfig.ReadAsync(_admin, KafkaNames.Topic(messaging, topic), key, RequestTimeout).ConfigureAwait(false))?.Value;

    /// <summary>Deletes every topic of the test's prefix (best effort: the broker is shared by the run and removed at its end
    /// anyway). Its groups stay, empty: deleting them is a request to their coordinators, which this class never makes.</summary>
    public async Task DeleteTopicsAsync()
    {
        var topics = _admin.GetMetadata(RequestTimeout).Topics.Select(t => t.Topic)
            .Where(t => t.StartsWith(messaging.TopicPrefix, StringComparison.Ordinal)).ToList();
        if (topics.Count > 0)
            await _admin.DeleteTopicsAsync(topics, new DeleteTopicsOptions { RequestTimeout = RequestTimeout }).ConfigureAwait(false);
    }

    public void Dispose() => _admin.Dispose();
}
