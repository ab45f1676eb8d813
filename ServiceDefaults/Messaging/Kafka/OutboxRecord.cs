using System.Text;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>An outbox row as the Kafka record the relay produces: the partition key as the record key, MassTransit's
/// envelope as the value, and the headers a consumer reads without parsing the body. Tests that play a service or a relay
/// build their records here too, so a record of theirs is byte for byte one of the relay's.</summary>
public static class OutboxRecord
{
    /// <param name="topic">The topic the record goes to (with the suite's prefix), named in the envelope's destination.</param>
    /// <param name="activityId">The producing span's W3C id, when there is one: the consumer's receive span is parented on it.</param>
    public static Message<string?, byte[]> From(OutboxMessage row, string topic, string? activityId, DateTime sentTime)
    {
        ArgumentNullException.ThrowIfNull(row);
        var headers = new Headers
        {
            { KafkaHeaders.ContentType, Encoding.UTF8.GetBytes(OutboxEnvelope.ContentType) },
            { KafkaHeaders.MessageId, Encoding.UTF8.GetBytes(row.Id.ToString()) },
            { KafkaHeaders.MessageType, Encoding.UTF8.GetBytes(row.MessageType) },
        };
        if (activityId is not null)
            headers.Add(KafkaHeaders.ActivityId, Encoding.UTF8.GetBytes(activityId));

        return new Message<string?, byte[]>
        {
            Key = row.PartitionKey,
            Value = OutboxEnvelope.Serialize(row, new Uri($"topic:{topic}"), activityId, sentTime),
            Headers = headers,
        };
    }
}
