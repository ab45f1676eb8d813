using System.Text.Json;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using RabbitMQ.Client;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>Publishes issue-requested events for requests no coupon database holds, exactly as a service's outbox relay
/// would put them on <c>coupon-issue</c> (MassTransit envelope, the coupon id as routing key, publisher confirms). The
/// coupon service cannot apply one, ever: each must end as a dead letter after the retry budget.</summary>
public static class PoisonPublisher
{
    /// <summary>Publishes <paramref name="count"/> poison messages over <paramref name="couponIds"/> and returns their message ids.</summary>
    public static async Task<IReadOnlyList<Guid>> PublishAsync(Uri brokerUri, IReadOnlyList<Guid> couponIds, int count)
    {
        ArgumentNullException.ThrowIfNull(brokerUri);
        ArgumentNullException.ThrowIfNull(couponIds);
        var topic = TopicCatalog.Get(Topics.CouponIssue);
        var descriptor = MessageCatalog.Describe(typeof(CouponIssueRequested));
        var destination = OutboxEnvelope.DestinationAddress(brokerUri, topic);
        var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "poison-publisher" };
        var connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true)).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                var ids = new List<Guid>(count);
                for (var i = 0; i < count; i++)
                {
                    var message = new CouponIssueRequested(Guid.NewGuid(), couponIds[i % couponIds.Count], 9_000_000 + i, DateTimeOffset.UtcNow);
                    var row = new OutboxMessage
                    {
                        Id = Guid.NewGuid(),
                        Topic = topic.Name,
                        PartitionKey = descriptor.PartitionKeyOf(message),
                        MessageType = typeof(CouponIssueRequested).FullName!,
                        Body = JsonSerializer.Serialize(message, MessageJson.Options),
                        CreatedAt = DateTimeOffset.UtcNow,
                    };
                    var (body, properties) = OutboxEnvelope.Create(row, destination, null, DateTime.UtcNow);
                    await channel.BasicPublishAsync(topic.Name, row.PartitionKey!, mandatory: true, properties, body).ConfigureAwait(false);
                    ids.Add(row.Id);
                }

                return ids;
            }
        }
    }
}
