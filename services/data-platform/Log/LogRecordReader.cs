using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;

namespace ECommerce.DataPlatform.Log;

/// <summary>Reads a Kafka record as the suite's producers write it (<see cref="KafkaOutboxPublisher"/>): the value is
/// MassTransit's JSON envelope (message id, message type URNs, the message, sent time, headers), the key the partition key,
/// and the headers repeat the message id, contract type and the producer's span. Anything else is poison, never an error:
/// one bad record must not stop its partition.</summary>
public static class LogRecordReader
{
    /// <summary>The record's key among a poison record's stored headers, as the suite's dead-letter recorder stores it.</summary>
    const string KeyHeader = "kafka-key";

    public static LogItem Read(LogPartition partition, long offset, string? key, Headers? headers, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(partition);
        Guid? messageId = Guid.TryParse(KafkaHeaders.Get(headers, KafkaHeaders.MessageId), out var fromHeader) ? fromHeader : null;
        var typeName = KafkaHeaders.Get(headers, KafkaHeaders.MessageType);
        if (value is null || value.Length == 0)
            return Poisoned("The record has no value.");
        try
        {
            using var document = JsonDocument.Parse(value);
            var envelope = document.RootElement;
            if (envelope.ValueKind != JsonValueKind.Object)
                return Poisoned("The value is not an envelope.");
            if (messageId is null && envelope.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String
                && id.TryGetGuid(out var fromEnvelope))
                messageId = fromEnvelope;
            if (messageId is null)
                return Poisoned("No message id: the event log cannot deduplicate it.");

            // The envelope's URNs are what MassTransit dispatches on; the header is the producer's note of the same type.
            var urns = envelope.TryGetProperty("messageType", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(u => u.GetString() ?? string.Empty).ToList()
                : [];
            var type = urns.Select(MessageCatalog.FindByUrn).FirstOrDefault(t => t is not null)
                ?? (typeName is null ? null : MessageCatalog.FindByName(typeName));
            typeName ??= urns.Count > 0 ? string.Join(';', urns) : null;
            if (type is null)
                return Poisoned("No contract of the suite matches the message type.");
            var topic = MessageCatalog.Describe(type).Topic.Name;
            if (topic != partition.Topic)
                return Poisoned($"{type.Name} belongs to topic '{topic}', not '{partition.Topic}'.");
            if (!envelope.TryGetProperty("message", out var payload) || payload.ValueKind != JsonValueKind.Object)
                return Poisoned("The envelope has no message.");

            var message = payload.Deserialize(type, MessageJson.Options) ?? throw new JsonException("The message is null.");
            DateTimeOffset? sentAt = envelope.TryGetProperty("sentTime", out var sent) && sent.TryGetDateTimeOffset(out var at) ? at : null;
            var record = new LogRecord(messageId.Value, message, payload.GetRawText(), key, sentAt, TraceParentOf(headers, envelope));
            return new LogItem(partition, offset, record, null);
        }
        catch (JsonException e)
        {
            return Poisoned($"Unreadable body: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            return Poisoned($"Unreadable message: {e.Message}");
        }

        LogItem Poisoned(string error) => new(partition, offset, null, new LogPoison(messageId, typeName, error,
            value is null ? string.Empty : Encoding.UTF8.GetString(value), HeadersJson(headers, key), KafkaHeaders.Get(headers, KafkaHeaders.ContentType)));
    }

    /// <summary>A message's contract type by the short name the event log stores.</summary>
    public static Type? ContractType(string name) => ByName.GetValueOrDefault(name);

    static readonly Dictionary<string, Type> ByName = MessageCatalog.ContractTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The producer's send span: its W3C activity id (<c>00-trace-span-flags</c>) is a record header, and MassTransit
    /// keeps it in the envelope's headers too.</summary>
    static string? TraceParentOf(Headers? headers, JsonElement envelope)
    {
        if (KafkaHeaders.Get(headers, KafkaHeaders.ActivityId) is { } activityId)
            return activityId;
        return envelope.TryGetProperty("headers", out var envelopeHeaders) && envelopeHeaders.ValueKind == JsonValueKind.Object
            && envelopeHeaders.TryGetProperty(KafkaHeaders.ActivityId, out var fromEnvelope) && fromEnvelope.ValueKind == JsonValueKind.String
            ? fromEnvelope.GetString()
            : null;
    }

    static string HeadersJson(Headers? headers, string? key)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (headers is not null)
        {
            foreach (var header in headers)
                values[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        values[KeyHeader] = key;
        return JsonSerializer.Serialize(values);
    }
}
