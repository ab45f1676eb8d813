using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Publishes one outbox row on the in-memory transport: a MassTransit send to the topic's exchange, with the row id
/// as message id. (On Kafka the relay produces whole batches, see <see cref="Kafka.KafkaOutboxPublisher"/>.)
/// Sends through <see cref="IBus"/> (a singleton), not <see cref="ISendEndpointProvider"/>: MassTransit registers that one
/// scoped, and this publisher is a singleton (a captive scoped dependency, rejected by scope validation in Development).</summary>
public sealed class OutboxPublisher(IBus bus)
{
    /// <summary>Where the row was routed, for a test or tool observing the in-memory bus (Kafka has the record's topic).</summary>
    public const string TopicHeader = "ECommerce-Topic";

    /// <summary>The row's partition key (Kafka has the record's key).</summary>
    public const string PartitionKeyHeader = "ECommerce-PartitionKey";

    readonly ConcurrentDictionary<string, Task<ISendEndpoint>> _endpoints = new(StringComparer.Ordinal);

    /// <summary>The in-memory exchange every group's receive endpoint of <paramref name="topic"/> is bound to.</summary>
    public static Uri TopicAddress(string topic) => new($"exchange:{topic}");

    public async Task PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var type = MessageCatalog.FindByName(row.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has unknown message type '{row.MessageType}'.");
        var message = JsonSerializer.Deserialize(row.Body, type, MessageJson.Options)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has an empty body.");

        var endpoint = await _endpoints.GetOrAdd(row.Topic, topic => bus.GetSendEndpoint(TopicAddress(topic))).ConfigureAwait(false);

        // The relay runs outside the request that produced the row: parent the publish on the row's stored trace context
        // so the trace continues from the HTTP request into the consumers.
        ActivityContext.TryParse(row.TraceParent, row.TraceState, isRemote: true, out var parent);
        using var activity = MessagingDiagnostics.Source.StartActivity($"{row.Topic} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.destination.name", row.Topic);
        activity?.SetTag("messaging.message.id", row.Id.ToString());

        await endpoint.Send(message, type, Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = row.Id;
            context.Headers.Set(TopicHeader, row.Topic);
            context.Headers.Set(Kafka.KafkaHeaders.MessageType, row.MessageType);
            if (row.PartitionKey is not null)
                context.Headers.Set(PartitionKeyHeader, row.PartitionKey);
        }), cancellationToken).ConfigureAwait(false);
    }
}
