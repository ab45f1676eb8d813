using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>Small Kafka client helpers shared by the broker tests. Every client's librdkafka log goes to the test's output
/// (or nowhere), never to stderr.</summary>
internal static class KafkaClients
{
    /// <summary>A record as read back: where it is and what it holds.</summary>
    public sealed record Stored(int Partition, long Offset, string Key, int Value);

    public static IAdminClient Admin(string bootstrapServers) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, BrokerAddressFamily = BrokerAddressFamily.V4 })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();

    /// <summary>Creates a topic explicitly (the brokers do not create topics on first use) and waits until every partition
    /// has a leader.</summary>
    public static async Task CreateTopicAsync(string bootstrapServers, string topic, int partitions, short replicationFactor,
        IReadOnlyDictionary<string, string> configs)
    {
        using var admin = Admin(bootstrapServers);
        await admin.CreateTopicsAsync([
            new TopicSpecification
            {
                Name = topic, NumPartitions = partitions, ReplicationFactor = replicationFactor,
                Configs = configs.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
            },
        ]);
        await Poll.UntilAsync(async _ =>
        {
            try
            {
                var description = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]));
                var found = description.TopicDescriptions.Single().Partitions;
                return found.Count == partitions && found.TrueForAll(p => p.Leader is { Id: >= 0 });
            }
            catch (DescribeTopicsException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"every partition of {topic} to have a leader");
    }

    /// <summary>The topic's own value of a configuration entry (what it was created with, not the broker's default).</summary>
    public static async Task<string?> TopicConfigAsync(string bootstrapServers, string topic, string name)
    {
        using var admin = Admin(bootstrapServers);
        return await TopicConfig.ReadAsync(admin, topic, name, TimeSpan.FromSeconds(10)) is { IsDefault: false } entry ? entry.Value : null;
    }

    /// <summary>An idempotent producer that waits for every in-sync replica (acks=all), keeps retrying through a leader's
    /// death (retries are unbounded with idempotence; only <c>message.timeout.ms</c> could fail a record), and places keys
    /// with murmur2 as Java clients do.</summary>
    public static IProducer<string, int> IdempotentProducer(string bootstrapServers, Action<string>? log = null) =>
        new ProducerBuilder<string, int>(new ProducerConfig
            {
                BootstrapServers = bootstrapServers,
                BrokerAddressFamily = BrokerAddressFamily.V4,
                EnableIdempotence = true,
                Acks = Acks.All,
                Partitioner = Partitioner.Murmur2Random,
                MessageTimeoutMs = 120_000,
                LingerMs = 5,
            })
            .SetLogHandler((_, message) => log?.Invoke($"{message.Level} {message.Facility}: {message.Message}"))
            .SetErrorHandler((_, error) => log?.Invoke($"error {error.Code}: {error.Reason}"))
            .Build();

    /// <summary>Produces <paramref name="values"/> in order and waits for every acknowledgement; returns where each went.</summary>
    public static async Task<IReadOnlyList<Stored>> ProduceAsync(string bootstrapServers, string topic, IEnumerable<int> values,
        Func<int, string> key)
    {
        using var producer = IdempotentProducer(bootstrapServers);
        // ProduceAsync queues the record before it returns: the records go out in this order, as many at once as allowed.
        var deliveries = values.Select(value => producer.ProduceAsync(topic, new Message<string, int> { Key = key(value), Value = value })).ToList();
        var results = await Task.WhenAll(deliveries);
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        return results.Select(r => new Stored(r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value)).ToList();
    }

    /// <summary>Every record of every partition of <paramref name="topic"/>, from the first offset up to the high watermark
    /// each partition has when the read starts, ordered by partition and offset. Reads by assignment: no consumer group,
    /// so no group coordinator is involved.</summary>
    public static Task<IReadOnlyList<Stored>> ReadAllAsync(string bootstrapServers, string topic, int partitions) =>
        Task.Run<IReadOnlyList<Stored>>(() =>
        {
            using var consumer = new ConsumerBuilder<string, int>(new ConsumerConfig
                {
                    BootstrapServers = bootstrapServers,
                    BrokerAddressFamily = BrokerAddressFamily.V4,
                    GroupId = "launcher-tests-" + Guid.NewGuid().ToString("N"),
                    EnableAutoCommit = false,
                    AutoOffsetReset = AutoOffsetReset.Earliest,
                })
                .SetLogHandler((_, _) => { })
                .SetErrorHandler((_, _) => { })
                .Build();
            var ends = Enumerable.Range(0, partitions).ToDictionary(p => p,
                p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
            consumer.Assign(ends.Keys.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var next = ends.Keys.ToDictionary(p => p, _ => 0L);
            var records = new List<Stored>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (next.Any(p => p.Value < ends[p.Key]))
            {
                Assert.True(DateTime.UtcNow < deadline, "Timed out reading " + topic + " back: at " + Positions(next) + " of " + Positions(ends));
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } result)
                    continue;
                var partition = result.Partition.Value;
                records.Add(new Stored(partition, result.Offset.Value, result.Message.Key, result.Message.Value));
                next[partition] = result.Offset.Value + 1;
            }

            consumer.Close();
            return records.OrderBy(r => r.Partition).ThenBy(r => r.Offset).ToList();
        });

    static string Positions(Dictionary<int, long> offsets) =>
        string.Join(", ", offsets.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"p{p.Key}:{p.Value}")));
}
