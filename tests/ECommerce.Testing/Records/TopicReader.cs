using System.Text;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;

namespace ECommerce.Testing.Records;

/// <summary>Reads every record of a topic, all partitions, from the beginning up to the end offsets it finds when asked
/// (without a consumer group's commits): what a test checks a topic's contents and per-partition order with.</summary>
public static class TopicReader
{
    /// <remarks>Synchronous underneath (the client's consume is blocking); run it off a test's own thread if that matters.</remarks>
    public static Task<IReadOnlyList<TopicRecord>> ReadAllAsync(string bootstrapServers, string topic, MessagingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var name = KafkaNames.Topic(options ?? new MessagingOptions(), topic);
        using var admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
        var partitions = admin.GetMetadata(name, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(name, p.PartitionId)).ToList();
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<string?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var ends = partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        var pending = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        consumer.Assign(partitions.Where(p => pending.Contains(p.Partition.Value)).Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var records = new List<TopicRecord>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Reading {name} did not reach its end offsets within 60 s.");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
                continue;
            var partition = result.Partition.Value;
            if (!result.IsPartitionEOF)
            {
                records.Add(new TopicRecord(topic, partition, result.Offset.Value, result.Message.Key,
                    Guid.TryParse(KafkaHeaders.Get(result.Message.Headers, KafkaHeaders.MessageId), out var id) ? id : null,
                    KafkaHeaders.Get(result.Message.Headers, KafkaHeaders.MessageType), result.Message.Value));
            }

            if (result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= ends[partition])
                pending.Remove(partition);
        }

        return Task.FromResult<IReadOnlyList<TopicRecord>>(records);
    }

    /// <summary>The record's value as text (the JSON envelope).</summary>
    public static string Text(this TopicRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Encoding.UTF8.GetString(record.Value);
    }
}
