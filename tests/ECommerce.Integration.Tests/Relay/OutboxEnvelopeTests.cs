using ECommerce.Testing.Records;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.Testing.Infrastructure;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>The relay writes Kafka records itself (Confluent.Kafka, not MassTransit), and MassTransit's consumers must read them
/// as their own: one row produced by the relay's publisher, read back raw from the topic and checked field by field (key,
/// partition, headers, the JSON envelope), then received by a MassTransit consumer on the rider with the row's message id and
/// as a child of the relay's publish span, in the row's trace.</summary>
public sealed class OutboxEnvelopeTests(ITestOutputHelper output)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_relayed_record_is_what_a_MassTransit_consumer_reads_with_the_rows_id_and_trace()
    {
        using var traces = new TraceListener();
        await using var environment = await TestEnvironment.CreateAsync("envelope", DatabaseKind.Sqlite, output);
        var producerDatabase = await environment.CreateDatabaseAsync(TestServices.Producer);
        await using var producer = await RunningHost.StartAsync(TestServices.ProducerBuilder(environment, producerDatabase).Build());

        var trace = ActivityTraceId.CreateRandom();
        var rowSpan = ActivitySpanId.CreateRandom();
        var charge = new BalanceCharged(Guid.NewGuid(), 4711, 12.5m, 99.25m, 3, DateTimeOffset.UtcNow);
        var row = new OutboxMessage
        {
            Sequence = 1,
            Id = Guid.NewGuid(),
            Topic = Topics.BalanceActivity,
            PartitionKey = "4711",
            MessageType = typeof(BalanceCharged).FullName!,
            Body = JsonSerializer.Serialize(charge, MessageJson.Options),
            TraceParent = $"00-{trace}-{rowSpan}-01",
            CreatedAt = DateTimeOffset.UtcNow,
        };

        var publisher = producer.Services.GetRequiredService<IOutboxBatchPublisher>();
        await publisher.WaitReadyAsync(CancellationToken.None);
        var (sent, failed) = await publisher.Publish([row], CancellationToken.None);
        Assert.Empty(failed);
        Assert.Equal([row.Id], sent.Select(r => r.Id));

        var record = await ReadOneAsync(environment, Topics.BalanceActivity);
        var headers = record.Message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()), StringComparer.Ordinal);
        environment.Log.Write($"record {record.TopicPartitionOffset} key={record.Message.Key} " +
            $"headers=[{string.Join(", ", headers.Select(h => $"{h.Key}={h.Value}"))}] value={Encoding.UTF8.GetString(record.Message.Value)}");

        // Placement: keyed by the partition key, on the partition a Java client would choose for it.
        Assert.Equal("4711", record.Message.Key);
        Assert.Equal(KeyPartitioner.PartitionOf("4711", environment.Messaging.PartitionsOf(Topics.BalanceActivity)), record.Partition.Value);

        // Headers: what a consumer needs without reading the body; the trace continues from the row's span through a span of the
        // relay's own.
        Assert.Equal([KafkaHeaders.ContentType, KafkaHeaders.MessageId, KafkaHeaders.MessageType, KafkaHeaders.ActivityId],
            record.Message.Headers.Select(h => h.Key));
        Assert.Equal(OutboxEnvelope.ContentType, headers[KafkaHeaders.ContentType]);
        Assert.Equal(row.Id.ToString(), headers[KafkaHeaders.MessageId]);
        Assert.Equal(row.MessageType, headers[KafkaHeaders.MessageType]);
        var publish = ActivityContext.Parse(headers[KafkaHeaders.ActivityId], null);
        Assert.Equal(trace, publish.TraceId);
        Assert.NotEqual(rowSpan, publish.SpanId);

        // Envelope: MassTransit's JSON envelope, its property names, the row id as message id, the message as the row's body.
        using var body = JsonDocument.Parse(record.Message.Value);
        var envelope = body.RootElement;
        Assert.Equal(["messageId", "requestId", "correlationId", "conversationId", "initiatorId", "sourceAddress", "destinationAddress",
            "responseAddress", "faultAddress", "messageType", "message", "expirationTime", "sentTime", "headers", "host"],
            envelope.EnumerateObject().Select(p => p.Name));
        Assert.Equal(row.Id, envelope.GetProperty("messageId").GetGuid());
        Assert.True(envelope.GetProperty("conversationId").TryGetGuid(out _));
        Assert.Equal(JsonValueKind.Null, envelope.GetProperty("sourceAddress").ValueKind);
        Assert.Equal($"topic:{KafkaNames.Topic(environment.Messaging, Topics.BalanceActivity)}", envelope.GetProperty("destinationAddress").GetString());
        Assert.Equal([MessageUrn.ForTypeString<BalanceCharged>()], envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(charge, envelope.GetProperty("message").Deserialize<BalanceCharged>(SystemTextJsonMessageSerializer.Options));
        Assert.True(envelope.GetProperty("sentTime").TryGetDateTimeOffset(out _));
        Assert.Equal(headers[KafkaHeaders.ActivityId], envelope.GetProperty("headers").GetProperty(KafkaHeaders.ActivityId).GetString());
        Assert.Equal(row.MessageType, envelope.GetProperty("headers").GetProperty(KafkaHeaders.MessageType).GetString());
        Assert.Equal(JsonValueKind.Object, envelope.GetProperty("host").ValueKind);

        // Dispatch: a MassTransit consumer on the rider reads it as the row's message, and its receive continues the relay's span.
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var ledgerBuilder = TestServices.LedgerBuilder(environment, ledgerDatabase, TestServices.Consume<RecordingChargeConsumer>(Topics.BalanceActivity));
        ledgerBuilder.Services.AddSingleton<ConsumedLog>();
        await using var ledger = await TestServices.StartLedgerAsync(environment, ledgerBuilder.Build(), Topics.BalanceActivity);
        var log = ledger.Services.GetRequiredService<ConsumedLog>();
        await Poll.UntilAsync(() => log.Count > 0, Patience, "the consumer to receive the record");
        var consumed = Assert.Single(log.Snapshot());
        Assert.Equal(row.Id, consumed.MessageId);
        Assert.Equal((charge.UserId, charge.Sequence), (consumed.UserId, consumed.Sequence));
        Assert.Equal(trace, consumed.TraceId);
        Assert.Equal(publish.SpanId, consumed.RemoteParent);
    }

    /// <summary>The first record of the test's <paramref name="topic"/> with everything the broker holds of it (the shared
    /// reader leaves the headers out).</summary>
    static Task<ConsumeResult<string?, byte[]>> ReadOneAsync(TestEnvironment environment, string topic) => Task.Run(() =>
    {
        var name = KafkaNames.Topic(environment.Messaging, topic);
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = environment.BootstrapServers,
            GroupId = "test-envelope-reader",
            EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(Enumerable.Range(0, environment.Messaging.PartitionsOf(topic))
            .Select(p => new TopicPartitionOffset(name, p, Offset.Beginning)));
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
                return result;
        }

        throw new TimeoutException($"No record arrived in {name} within {Patience}.");
    });
}
