using System.Text;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Produces a contract message as the relay does (envelope, headers, the test's prefix) but to a partition the test
/// chooses: for copies of one message on an unkeyed topic that must land on different partitions.
/// (<see cref="ECommerce.Testing.Records.ContractProducer"/> lets the partitioner choose.)</summary>
public sealed class PartitionedProducer : IDisposable
{
    readonly IProducer<string?, byte[]> _producer;
    readonly TestEnvironment _environment;

    public PartitionedProducer(TestEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        _producer = new ProducerBuilder<string?, byte[]>(KafkaClients.Producer(environment.BootstrapServers, "test-partitioned-producer"))
            .SetLogHandler((_, _) => { })
            .Build();
    }

    public async Task<TopicPartitionOffset> ProduceAsync(object message, Guid messageId, int partition)
    {
        var row = OutboxBatch.Row(message, messageId, DateTimeOffset.UtcNow);
        var topic = KafkaNames.Topic(_environment.Messaging, row.Topic);
        var result = await _producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string?, byte[]>
        {
            Key = row.PartitionKey,
            Value = OutboxEnvelope.Serialize(row, new Uri($"topic:{topic}"), null, DateTime.UtcNow),
            Headers = new Headers
            {
                { KafkaHeaders.ContentType, Encoding.UTF8.GetBytes(OutboxEnvelope.ContentType) },
                { KafkaHeaders.MessageId, Encoding.UTF8.GetBytes(row.Id.ToString()) },
                { KafkaHeaders.MessageType, Encoding.UTF8.GetBytes(row.MessageType) },
            },
        }).ConfigureAwait(false);
        return result.TopicPartitionOffset;
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
