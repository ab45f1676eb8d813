extern alias dataplatform;

using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using dataplatform::ECommerce.DataPlatform.Log;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Xunit;

namespace ECommerce.Component.Tests.DataPlatform;

/// <summary>Records as the suite's Kafka producer writes them (key, MassTransit envelope, headers) read into events, and
/// everything else into poison rather than an error.</summary>
public sealed class LogRecordReaderTests
{
    const string ActivityId = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    static readonly LogPartition CouponIssue = new(Topics.CouponIssue, 2);

    [Fact]
    public void A_produced_record_is_read_with_its_id_key_payload_sent_time_and_trace()
    {
        var issued = new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), 1, Guid.NewGuid(), 3, DateTimeOffset.UtcNow);
        var (key, headers, value) = Produced(issued);

        var item = LogRecordReader.Read(CouponIssue, 41, key, headers, value);

        Assert.Null(item.Poison);
        var record = Assert.IsType<LogRecord>(item.Record);
        Assert.Equal((CouponIssue, 41L), (item.Partition, item.Offset));
        Assert.Equal(Guid.Parse(KafkaHeaders.Get(headers, KafkaHeaders.MessageId)!), record.MessageId);
        Assert.Equal(issued, record.Message);
        Assert.Equal(issued.CouponId.ToString(), record.Key);
        Assert.Equal(issued.CouponId, JsonDocument.Parse(record.Payload).RootElement.GetProperty("couponId").GetGuid());
        Assert.NotNull(record.SentAt);
        Assert.Equal(ActivityId, record.TraceParent);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", record.TraceId);
    }

    [Fact]
    public void Without_headers_the_envelope_gives_the_id_and_the_trace()
    {
        var issued = new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), 1, Guid.NewGuid(), 3, DateTimeOffset.UtcNow);
        var (key, _, value) = Produced(issued);

        var record = Assert.IsType<LogRecord>(LogRecordReader.Read(CouponIssue, 0, key, null, value).Record);

        Assert.Equal(Guid.Parse(JsonDocument.Parse(value).RootElement.GetProperty("messageId").GetString()!), record.MessageId);
        Assert.Equal(ActivityId, record.TraceParent);
    }

    [Fact]
    public void Unreadable_unknown_misplaced_or_anonymous_records_are_poison()
    {
        var order = new OrderCompleted(Guid.NewGuid(), 1, [], 0m, 0m, 0m, null, DateTimeOffset.UtcNow);
        var (_, orderHeaders, orderValue) = Produced(order);
        var issued = new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), 1, Guid.NewGuid(), 3, DateTimeOffset.UtcNow);
        var (key, _, issuedValue) = Produced(issued);
        var anonymous = JsonDocument.Parse(issuedValue).RootElement.EnumerateObject().Where(p => p.Name != "messageId")
            .ToDictionary(p => p.Name, p => p.Value);
        var unknown = Encoding.UTF8.GetString(issuedValue).Replace("CouponIssued", "CouponMelted", StringComparison.Ordinal);

        var poison = new[]
        {
            LogRecordReader.Read(CouponIssue, 1, key, null, Encoding.UTF8.GetBytes("{not json")),
            LogRecordReader.Read(CouponIssue, 2, key, null, null),
            LogRecordReader.Read(CouponIssue, 3, key, orderHeaders, orderValue),
            LogRecordReader.Read(CouponIssue, 4, key, null, JsonSerializer.SerializeToUtf8Bytes(anonymous)),
            LogRecordReader.Read(CouponIssue, 5, key, null, Encoding.UTF8.GetBytes(unknown)),
        };

        Assert.All(poison, p => Assert.Null(p.Record));
        Assert.Equal([1L, 2, 3, 4, 5], poison.Select(p => p.Offset));
        Assert.Contains("Unreadable", poison[0].Poison!.Error, StringComparison.Ordinal);
        Assert.Contains("belongs to topic 'order-completed'", poison[2].Poison!.Error, StringComparison.Ordinal);
        Assert.Equal(typeof(OrderCompleted).FullName, poison[2].Poison!.MessageType);
        Assert.Contains("No message id", poison[3].Poison!.Error, StringComparison.Ordinal);
        Assert.Contains("No contract", poison[4].Poison!.Error, StringComparison.Ordinal);
        Assert.Equal(key, JsonDocument.Parse(poison[0].Poison!.Headers!).RootElement.GetProperty("kafka-key").GetString());
    }

    /// <summary>Key, headers and value as <see cref="KafkaOutboxPublisher"/> produces them.</summary>
    static (string? Key, Headers Headers, byte[] Value) Produced(object message)
    {
        var row = OutboxBatch.Row(message, DateTimeOffset.UtcNow);
        var record = OutboxRecord.From(row, row.Topic, ActivityId, DateTime.UtcNow);
        return (record.Key, record.Headers, record.Value);
    }
}
