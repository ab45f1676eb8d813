using System.Text;
using Confluent.Kafka;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;

namespace ECommerce.AppHost.Tests.Suite;

/// <summary>Produces an issue request onto <c>coupon-issue</c> as the coupon service's outbox relay would, but for a request
/// the coupon service never accepted: its consumer cannot apply it, so it ends as a dead letter.</summary>
public static class CouponRequestPublisher
{
    public static async Task PublishAsync(SuiteApp suite, Guid messageId, CouponIssueRequested message)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(message);
        var row = OutboxBatch.Row(message, messageId, DateTimeOffset.UtcNow);
        using var producer = new ProducerBuilder<string?, byte[]>(KafkaClients.Producer(await suite.ConnectionStringAsync("messaging"), "test"))
            .SetLogHandler((_, _) => { })
            .Build();
        await producer.ProduceAsync(Topics.CouponIssue, new Message<string?, byte[]>
        {
            Key = row.PartitionKey,
            Value = OutboxEnvelope.Serialize(row, new Uri($"topic:{Topics.CouponIssue}"), null, DateTime.UtcNow),
            Headers = new Headers
            {
                { KafkaHeaders.MessageId, Encoding.UTF8.GetBytes(messageId.ToString()) },
                { KafkaHeaders.MessageType, Encoding.UTF8.GetBytes(row.MessageType) },
            },
        });
    }
}
