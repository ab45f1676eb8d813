using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;

namespace ECommerce.Testing.Records;

/// <summary>Produces contract messages to their topics as a service's outbox relay does: the MassTransit envelope as the value,
/// the partition key as the key, the same headers, the suite's topic prefix, an idempotent producer. For tests that play a
/// service, publish a re-delivery with a given message id, or a poison record.</summary>
public sealed class ContractProducer : IDisposable
{
    readonly IProducer<string?, byte[]> _producer;
    readonly MessagingOptions _options;

    /// <param name="log">Where the client's warnings and errors go (nowhere when null).</param>
    public ContractProducer(string bootstrapServers, MessagingOptions? options = null, Action<string>? log = null)
    {
        _options = options ?? new MessagingOptions();
        _producer = new ProducerBuilder<string?, byte[]>(KafkaClients.Producer(bootstrapServers, "test-producer"))
            .SetLogHandler((_, message) =>
            {
                if (message.Level <= SyslogLevel.Warning)
                    log?.Invoke($"[test-producer] {message.Level} {message.Facility}: {message.Message}");
            })
            .SetErrorHandler((_, error) => log?.Invoke($"[test-producer] error {error.Code}: {error.Reason}"))
            .Build();
    }

    /// <summary>Produces <paramref name="message"/> (a contract) with <paramref name="messageId"/> (a new one when null) and
    /// returns where it landed once the broker acknowledged it.</summary>
    public async Task<TopicPartitionOffset> ProduceAsync(object message, Guid? messageId = null, CancellationToken cancellationToken = default)
    {
        var (topic, record) = Record(message, messageId);
        var result = await _producer.ProduceConfirmedAsync(topic, record, cancellationToken).ConfigureAwait(false);
        return result.TopicPartitionOffset;
    }

    /// <summary>The same, to a partition the test chooses rather than the key's: for copies of one message on an unkeyed
    /// topic that must land on different partitions.</summary>
    public async Task<TopicPartitionOffset> ProduceAsync(object message, Guid messageId, int partition, CancellationToken cancellationToken = default)
    {
        var (topic, record) = Record(message, messageId);
        var result = await _producer.ProduceConfirmedAsync(new TopicPartition(topic, partition), record, cancellationToken).ConfigureAwait(false);
        return result.TopicPartitionOffset;
    }

    /// <summary>Produces arbitrary bytes to a suite topic (the prefix is added): a record no consumer can read.</summary>
    public async Task<TopicPartitionOffset> ProduceRawAsync(string topic, string? key, byte[] value, Headers? headers = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _producer.ProduceConfirmedAsync(KafkaNames.Topic(_options, topic),
            new Message<string?, byte[]> { Key = key, Value = value, Headers = headers ?? [] }, cancellationToken).ConfigureAwait(false);
        return result.TopicPartitionOffset;
    }

    (string Topic, Message<string?, byte[]> Record) Record(object message, Guid? messageId)
    {
        ArgumentNullException.ThrowIfNull(message);
        var row = messageId is { } id ? OutboxBatch.Row(message, id, DateTimeOffset.UtcNow) : OutboxBatch.Row(message, DateTimeOffset.UtcNow);
        var topic = KafkaNames.Topic(_options, row.Topic);
        return (topic, OutboxRecord.From(row, topic, null, DateTime.UtcNow));
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
