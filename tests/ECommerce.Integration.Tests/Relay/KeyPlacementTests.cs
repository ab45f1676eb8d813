using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>DESIGN §2 promises that keys are placed as Java clients place them, so that any client finds a key where the
/// services put it. Kafka's own Java producer code (run on the broker's JVM) is the reference: the services' producer
/// (librdkafka's <c>murmur2_random</c>, through <see cref="KafkaClients.Producer"/>) on a real broker, and the tests'
/// <see cref="KeyPartitioner"/>, must both agree with it for keys of every shape the suite uses and then some (ids,
/// numbers, every tail length of murmur2, non-ASCII text, long keys).</summary>
public sealed class KeyPlacementTests(ITestOutputHelper output)
{
    const int TopicPartitions = 12;
    static readonly int[] PartitionCounts = [1, 3, 4, 6, 7, TopicPartitions, 50];

    [Fact]
    public async Task Keys_land_where_Kafkas_Java_producer_puts_them()
    {
        var keys = Keys();
        var java = await JavaPartitioner.PartitionsAsync(keys, PartitionCounts);

        var mismatches = new List<string>();
        for (var k = 0; k < keys.Count; k++)
        {
            for (var c = 0; c < PartitionCounts.Length; c++)
            {
                if (KeyPartitioner.PartitionOf(keys[k], PartitionCounts[c]) is var ours && ours != java[k][c])
                    mismatches.Add($"'{keys[k]}' of {PartitionCounts[c]}: KeyPartitioner {ours}, Java {java[k][c]}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches.Take(20)));

        await using var environment = await TestEnvironment.CreateAsync("key-placement", DatabaseKind.Sqlite, output);
        var topic = KafkaNames.Topic(environment.Messaging, "key-placement");
        using (var admin = new AdminClientBuilder(KafkaClients.Admin(environment.BootstrapServers)).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = TopicPartitions, ReplicationFactor = 1 }]);
        }

        using var producer = new ProducerBuilder<string?, byte[]>(KafkaClients.Producer(environment.BootstrapServers, "key-placement"))
            .SetLogHandler((_, _) => { }).Build();
        var reports = await Task.WhenAll(keys.Select(key => producer.ProduceConfirmedAsync(topic, new Message<string?, byte[]> { Key = key, Value = [] })));
        var column = Array.IndexOf(PartitionCounts, TopicPartitions);
        for (var k = 0; k < keys.Count; k++)
        {
            if (reports[k].Partition.Value != java[k][column])
                mismatches.Add($"'{keys[k]}': the services' producer {reports[k].Partition.Value}, Java {java[k][column]}");
        }

        environment.Log.Write($"[test] {keys.Count} keys × {PartitionCounts.Length} partition counts: KeyPartitioner agrees with Kafka's Java "
            + $"producer; {keys.Count} records produced to {TopicPartitions} partitions, {keys.Count - mismatches.Count} where Java puts them");
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches.Take(20)));
    }

    static List<string> Keys()
    {
        var random = new Random(20_261_206);
        var keys = new List<string>();
        var bytes = new byte[16];
        for (var i = 0; i < 400; i++)
        {
            random.NextBytes(bytes);
            keys.Add(new Guid(bytes).ToString());
        }

        keys.AddRange(Enumerable.Range(0, 300).Select(i => (i * 7_919L).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:";
        for (var length = 1; length <= 24; length++)
            keys.AddRange(Enumerable.Range(0, 8).Select(_ => new string(random.GetItems(Alphabet.AsSpan(), length))));
        keys.AddRange(["ключ-42", "注文-7", "🙂", "straße", "é", "ü-1", "κλειδί", "ключ", "مفتاح", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]);
        keys.AddRange(Enumerable.Range(0, 10).Select(i => new string(random.GetItems(Alphabet.AsSpan(), 200 + i))));
        return keys;
    }
}
