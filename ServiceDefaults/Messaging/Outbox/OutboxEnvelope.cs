using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using MassTransit.Serialization;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>An outbox row as MassTransit would serialize it: its JSON envelope (message id, message type URN, the message,
/// sent time, headers), so that a record produced by the relay is dispatched into MassTransit's consumers and sagas like
/// any message MassTransit sent itself, and read the same way by the data platform.</summary>
public static class OutboxEnvelope
{
    static readonly ConcurrentDictionary<Type, string> Urns = new();

    public const string ContentType = "application/vnd.masstransit+json";

    /// <summary>The envelope of <paramref name="row"/> addressed to <paramref name="destination"/>, with
    /// <paramref name="activityId"/> (the relay's publish span) as its trace context.</summary>
    public static byte[] Serialize(OutboxMessage row, Uri destination, string? activityId, DateTime sentTime)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(destination);
        var type = MessageCatalog.FindByName(row.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has unknown message type '{row.MessageType}'.");
        if (string.IsNullOrWhiteSpace(row.Body))
            throw new InvalidOperationException($"Outbox row {row.Id} has an empty body.");

        var headers = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Kafka.KafkaHeaders.MessageType] = row.MessageType,
        };
        if (activityId is not null)
            headers[Kafka.KafkaHeaders.ActivityId] = activityId;

        var envelope = new Envelope
        {
            MessageId = row.Id.ToString(),
            // A send outside any consume starts a conversation of its own in MassTransit too.
            ConversationId = NewId.NextGuid().ToString(),
            DestinationAddress = destination.ToString(),
            MessageType = [Urns.GetOrAdd(type, MessageUrn.ForTypeString)],
            // The row's body is already the message in the wire's camelCase JSON (MessageJson): it goes in as it is, which
            // spares the relay a deserialize and a re-serialize per row.
            Message = new RawJson(row.Body),
            SentTime = sentTime,
            Headers = headers,
            Host = MassTransit.Metadata.HostMetadataCache.Host,
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope, SystemTextJsonMessageSerializer.Options);
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
