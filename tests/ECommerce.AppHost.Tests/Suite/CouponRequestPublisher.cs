using System.Text.Json;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using RabbitMQ.Client;

namespace ECommerce.AppHost.Tests.Suite;

/// <summary>Publishes an issue request onto <c>coupon-issue</c> as the coupon service's outbox relay would, but for a request
/// the coupon service never accepted: its consumer cannot apply it, so it ends as a dead letter.</summary>
public static class CouponRequestPublisher
{
    public static async Task PublishAsync(SuiteApp suite, Guid messageId, CouponIssueRequested message)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(message);
        var broker = BrokerAddress.Parse(await suite.ConnectionStringAsync("messaging")).Primary;
        var topic = TopicCatalog.Get(Topics.CouponIssue);
        var row = new OutboxMessage
        {
            Id = messageId,
            Topic = topic.Name,
            PartitionKey = MessageCatalog.Describe(typeof(CouponIssueRequested)).PartitionKeyOf(message),
            MessageType = typeof(CouponIssueRequested).FullName!,
            Body = JsonSerializer.Serialize(message, MessageJson.Options),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var (body, properties) = OutboxEnvelope.Create(row, OutboxEnvelope.DestinationAddress(broker, topic), null, DateTime.UtcNow);
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(topic.Name, row.PartitionKey!, mandatory: true, properties, body);
    }
}
