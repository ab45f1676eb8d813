using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ECommerce.Contracts.Topology;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Publishes one outbox row to its topic with the row id as message id and the partition key as routing key. On
/// RabbitMQ the send completes only when the broker confirmed it (publisher confirms).
/// Sends through <see cref="IBus"/> (a singleton), not <see cref="ISendEndpointProvider"/>: MassTransit registers that one
/// scoped, and this publisher is a singleton (a captive scoped dependency, rejected by scope validation in Development).</summary>
public sealed class OutboxPublisher(IBus sendEndpoints, TransportAddresses addresses)
{
    public const string TopicHeader = "ECommerce-Topic";
    public const string PartitionKeyHeader = "ECommerce-PartitionKey";

    /// <summary>The contract type's full name: the topology routes a message to the consumer groups that consume its type by
    /// this header (a message without it reaches every group of its topic, which skip what they do not consume).</summary>
    public const string MessageTypeHeader = "ECommerce-MessageType";

    readonly ConcurrentDictionary<string, Task<ISendEndpoint>> _endpoints = new(StringComparer.Ordinal);

    public async Task PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var type = MessageCatalog.FindByName(row.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has unknown message type '{row.MessageType}'.");
        var message = JsonSerializer.Deserialize(row.Body, type, MessageJson.Options)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has an empty body.");

        var endpoint = await _endpoints.GetOrAdd(row.Topic, topic => sendEndpoints.GetSendEndpoint(addresses.Topic(TopicCatalog.Get(topic))))
            .ConfigureAwait(false);

        // The relay runs outside the request that produced the row: parent the publish on the row's stored trace context
        // so the trace continues from the HTTP request into the consumers.
        ActivityContext.TryParse(row.TraceParent, row.TraceState, isRemote: true, out var parent);
        using var activity = MessagingDiagnostics.Source.StartActivity($"outbox relay {row.Topic}", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.destination.name", row.Topic);
        activity?.SetTag("messaging.message.id", row.Id.ToString());

        await endpoint.Send(message, type, Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = row.Id;
            context.Headers.Set(TopicHeader, row.Topic);
            context.Headers.Set(MessageTypeHeader, row.MessageType);
            if (row.PartitionKey is not null)
            {
                context.Headers.Set(PartitionKeyHeader, row.PartitionKey);
                context.TrySetRoutingKey(row.PartitionKey);
            }
        }), cancellationToken).ConfigureAwait(false);
    }
}
