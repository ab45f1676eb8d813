using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.ServiceDefaults.Ops;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Lag per group, topic and partition: the partition's end offset minus the group's committed offset (all of it
/// when nothing is committed yet), with the member that owns the partition now, as the broker reports them (the commits read
/// as <see cref="GroupOffsets"/> says why).</summary>
internal sealed class KafkaLagReader(string bootstrapServers, MessagingOptions options, IKafkaRiderAccessor rider) : IConsumerLagReader, IDisposable
{
    readonly IAdminClient _admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
    readonly Dictionary<string, IConsumer<string?, byte[]>> _offsetReaders = new(StringComparer.Ordinal);

    public async Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken)
    {
        var result = new List<ConsumerLag>();
        foreach (var group in rider.Groups)
        {
            var groupId = KafkaNames.Group(options, group.Group);
            var topics = group.Topics;
            var metadata = _admin.GetMetadata(TimeSpan.FromSeconds(5));
            var partitions = metadata.Topics.Where(t => topics.Contains(t.Topic))
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
            if (partitions.Count == 0)
                continue;

            var committed = OffsetReader(groupId).Committed(partitions, TimeSpan.FromSeconds(5))
                .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
            var ends = await GroupOffsets.EndsAsync(_admin, partitions).ConfigureAwait(false);
            var owners = await OwnersAsync(groupId).ConfigureAwait(false);
            var prefix = options.TopicPrefix.Length;
            foreach (var partition in partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value))
            {
                var end = ends.GetValueOrDefault(partition, 0);
                var position = committed.TryGetValue(partition, out var offset) && offset >= 0 ? offset : (long?)null;
                var lag = Math.Max(0, end - (position ?? 0));
                owners.TryGetValue(partition, out var owner);
                result.Add(new ConsumerLag(group.Group, partition.Topic[prefix..], partition.Partition.Value, null, lag, null, owner is null ? 0 : 1,
                    null, position, end, owner));
            }
        }

        return result;
    }

    async Task<Dictionary<TopicPartition, string>> OwnersAsync(string groupId)
    {
        var owners = new Dictionary<TopicPartition, string>();
        try
        {
            var description = await _admin.DescribeConsumerGroupsAsync([groupId]).ConfigureAwait(false);
            foreach (var member in description.ConsumerGroupDescriptions.SelectMany(g => g.Members))
            {
                foreach (var partition in member.Assignment?.TopicPartitions ?? [])
                    owners[partition] = member.ClientId;
            }
        }
        catch (KafkaException)
        {
            // Ownership is a nicety of the report; lag stands without it.
        }

        return owners;
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
