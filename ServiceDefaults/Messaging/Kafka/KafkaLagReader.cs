using Confluent.Kafka;
using ECommerce.ServiceDefaults.Ops;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Lag per group, topic and partition: the partition's end offset minus the group's committed offset (all of it
/// when nothing is committed yet; the commits read as <see cref="GroupOffsets"/> says why), and whether this instance owns
/// the partition now. Each instance names only the partitions it owns: which member owns the others would have to be asked
/// of the group coordinator through the admin client (DescribeConsumerGroups), and librdkafka 2.16 aborts the whole process
/// when such a coordinator-bound admin request meets a broker connection that drops (an assertion in
/// rd_kafka_enq_once_del_source_return, librdkafka #4605; a fix is proposed in #5397) — a service instance died that way
/// in a broker-crash test. The group-wide picture is every instance's report, or the
/// <c>ecommerce.consumer.partitions_owned</c> gauges side by side.</summary>
internal sealed class KafkaLagReader(string bootstrapServers, MessagingOptions options, IKafkaRiderAccessor rider) : IConsumerLagReader, IDisposable
{
    /// <summary>How long each question to the broker may take: an operator's report waits no longer for a broker that is
    /// down.</summary>
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    readonly IAdminClient _admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
    readonly Dictionary<string, IConsumer<string?, byte[]>> _offsetReaders = new(StringComparer.Ordinal);

    public async Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken)
    {
        var result = new List<ConsumerLag>();
        foreach (var group in rider.Groups)
        {
            var groupId = KafkaNames.Group(options, group.Group);
            var topics = group.Topics;
            var metadata = _admin.GetMetadata(RequestTimeout);
            var partitions = metadata.Topics.Where(t => topics.Contains(t.Topic))
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
            if (partitions.Count == 0)
                continue;

            var committed = OffsetReader(groupId).Committed(partitions, RequestTimeout)
                .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
            var ends = await GroupOffsets.EndsAsync(_admin, partitions, RequestTimeout).ConfigureAwait(false);
            var owned = group.Assignment.ToHashSet();
            var prefix = options.TopicPrefix.Length;
            foreach (var partition in partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value))
            {
                var end = ends.GetValueOrDefault(partition, 0);
                var position = committed.TryGetValue(partition, out var offset) && offset >= 0 ? offset : (long?)null;
                var lag = Math.Max(0, end - (position ?? 0));
                var topic = partition.Topic[prefix..];
                var mine = owned.Contains((topic, partition.Partition.Value));
                result.Add(new ConsumerLag(group.Group, topic, partition.Partition.Value, null, lag, null, mine ? 1 : 0,
                    null, position, end, mine ? group.ClientId : null));
            }
        }

        return result;
    }

    IConsumer<string?, byte[]> OffsetReader(string groupId)
    {
        lock (_offsetReaders)
        {
            if (!_offsetReaders.TryGetValue(groupId, out var reader))
            {
                reader = GroupOffsets.CommitReader(bootstrapServers, groupId, groupId + "-lag-reader");
                _offsetReaders[groupId] = reader;
            }

            return reader;
        }
    }

    public void Dispose()
    {
        _admin.Dispose();
        lock (_offsetReaders)
        {
            foreach (var reader in _offsetReaders.Values)
                reader.Dispose();
        }
    }
}
