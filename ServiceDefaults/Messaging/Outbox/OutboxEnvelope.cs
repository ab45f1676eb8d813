using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using ECommerce.Contracts.Topology;
using MassTransit;
using MassTransit.Serialization;
using RabbitMQ.Client;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>An outbox row as MassTransit would put it on RabbitMQ: its JSON envelope as the body and the transport properties
/// and headers MassTransit's send sets, so the pipelined relay's messages are indistinguishable from an <c>ISendEndpoint.Send</c>
/// to MassTransit receive endpoints and to the data platform's stream reader.</summary>
public static class OutboxEnvelope
{
    static readonly ConcurrentDictionary<Type, string> Urns = new();

    public const string ContentType = "application/vnd.masstransit+json";

    /// <summary>The header MassTransit reads the sender's trace context from (the W3C id of the sending activity).</summary>
    public const string ActivityIdHeader = "MT-Activity-Id";

    /// <summary>The body and properties of <paramref name="row"/> sent to <paramref name="destinationAddress"/> (MassTransit's
    /// address of the topic's exchange) with <paramref name="activityId"/> as the propagated trace context.</summary>
    public static (byte[] Body, BasicProperties Properties) Create(OutboxMessage row, Uri destinationAddress, string? activityId, DateTime sentTime)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destinationAddress);
        var type = MessageCatalog.FindByName(row.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has unknown message type '{row.MessageType}'.");
        if (string.IsNullOrWhiteSpace(row.Body))
            throw new InvalidOperationException($"Outbox row {row.Id} has an empty body.");

        var headers = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [OutboxPublisher.TopicHeader] = row.Topic,
            [OutboxPublisher.MessageTypeHeader] = row.MessageType,
        };
        if (row.PartitionKey is not null)
            headers[OutboxPublisher.PartitionKeyHeader] = row.PartitionKey;
        if (activityId is not null)
            headers[ActivityIdHeader] = activityId;

        var envelope = new Envelope
        {
            MessageId = row.Id.ToString(),
            // A send outside any consume starts a conversation of its own in MassTransit too.
            ConversationId = NewId.NextGuid().ToString(),
            DestinationAddress = destinationAddress.ToString(),
            MessageType = [Urns.GetOrAdd(type, MessageUrn.ForTypeString)],
            // The row's body is already the message in the wire's camelCase JSON (MessageJson): it goes in as it is, which
            // spares the relay a deserialize and a re-serialize per row (most of its CPU before).
            Message = new RawJson(row.Body),
            SentTime = sentTime,
            Headers = headers,
            Host = MassTransit.Metadata.HostMetadataCache.Host,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, SystemTextJsonMessageSerializer.Options);
        var properties = new BasicProperties
        {
            ContentType = ContentType,
            MessageId = row.Id.ToString(),
            DeliveryMode = DeliveryModes.Persistent,
            // The same headers as the envelope's: MassTransit reads them from either place.
            Headers = headers,
        };
        return (body, properties);
    }

    /// <summary>MassTransit's address of <paramref name="topic"/>'s exchange on the broker at <paramref name="brokerUri"/>,
    /// as its send endpoint writes it into <c>destinationAddress</c>.</summary>
    public static Uri DestinationAddress(Uri brokerUri, TopicDefinition topic)
    {
        ArgumentNullException.ThrowIfNull(brokerUri);
        ArgumentNullException.ThrowIfNull(topic);
        var vhost = Uri.UnescapeDataString(brokerUri.AbsolutePath.Trim('/'));
        var host = brokerUri.IsDefaultPort || brokerUri.Port == 5672 ? brokerUri.Host : $"{brokerUri.Host}:{brokerUri.Port}";
        var path = vhost.Length == 0 || vhost == "/" ? string.Empty : Uri.EscapeDataString(vhost) + "/";
        return new Uri($"rabbitmq://{host}/{path}{topic.Name}?type={(topic.IsKeyed ? "x-consistent-hash" : "fanout")}");
    }

    /// <summary>The JSON envelope MassTransit writes, with its property names and order. Its source address, the bus's own
    /// temporary endpoint, is left empty: the relay has no bus, and an event needs no return address.</summary>
    sealed class Envelope
    {
        public string? MessageId { get; init; }

        public string? RequestId { get; init; }

        public string? CorrelationId { get; init; }

        public string? ConversationId { get; init; }

        public string? InitiatorId { get; init; }

        public string? SourceAddress { get; init; }

        public string? DestinationAddress { get; init; }

        public string? ResponseAddress { get; init; }

        public string? FaultAddress { get; init; }

        public string[]? MessageType { get; init; }

        public RawJson? Message { get; init; }

        public DateTime? ExpirationTime { get; init; }

        public DateTime? SentTime { get; init; }

        public Dictionary<string, object?>? Headers { get; init; }

        public HostInfo? Host { get; init; }
    }

    /// <summary>A JSON value written verbatim.</summary>
    [JsonConverter(typeof(RawJsonConverter))]
    sealed record RawJson(string Json);

    sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The envelope is only written.");

        // Validated: a corrupt row fails its own publish instead of producing a message no consumer can read.
        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: false);
    }
}
