using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Where a consumer group's commits stand against the partitions' ends, asked as the lag report and the tests ask
/// it. The commits are read through a client of the group that never subscribes (so never joins it), not through the admin
/// client's ListConsumerGroupOffsets: librdkafka 2.16's admin client dereferences a consumer-group state it does not have when
/// that request meets a group coordinator still loading (a broker just started, a coordinator moving), and the process dies
/// with SIGSEGV (rd_kafka_handle_OffsetFetch → rd_kafka_cgrp_op, seen in a core dump of a service started with its broker).</summary>
public static class GroupOffsets
{
    /// <summary>A client of group <paramref name="groupId"/> that only asks for its commits (<c>Committed</c>): it never
    /// subscribes, and on the classic protocol a client that does not subscribe is no member of the group.</summary>
    public static IConsumer<string?, byte[]> CommitReader(string bootstrapServers, string groupId, string clientId)
    {
        var config = KafkaClients.Consumer(bootstrapServers, groupId, clientId);
        config.GroupProtocol = GroupProtocol.Classic;
        return new ConsumerBuilder<string?, byte[]>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
    }

    /// <summary>Each partition's end offset (the offset its next record will get).</summary>
    /// <param name="timeout">The request's timeout; the client's default when null.</param>
    public static async Task<Dictionary<TopicPartition, long>> EndsAsync(IAdminClient admin, IEnumerable<TopicPartition> partitions,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var result = await admin.ListOffsetsAsync(partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }),
            timeout is { } t ? new ListOffsetsOptions { RequestTimeout = t } : null).ConfigureAwait(false);
        return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }
}
