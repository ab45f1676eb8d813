using System.Globalization;
using System.Text;
using System.Text.Json;
using ECommerce.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace ECommerce.DataPlatform.Log;

/// <summary>Reads a stream delivery as MassTransit wrote it: the JSON envelope (message id, message type URNs, the message,
/// sent time, headers) with the message id, partition key (routing key) and trace context in the AMQP properties too.</summary>
public static class LogRecordReader
{
    public const string OffsetHeader = "x-stream-offset";
    const string ActivityHeader = "MT-Activity-Id";

    /// <summary>The record's offset in its stream; every stream delivery carries it.</summary>
    public static long OffsetOf(IReadOnlyBasicProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return properties.Headers is { } headers && headers.TryGetValue(OffsetHeader, out var value) && value is not null
            ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("A stream delivery without an x-stream-offset header.");
    }

    public static LogItem Read(ulong deliveryTag, LogStream stream, string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(properties);
        var offset = OffsetOf(properties);
        Guid? messageId = Guid.TryParse(properties.MessageId, out var fromProperties) ? fromProperties : null;
        string? typeName = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var envelope = document.RootElement;
            if (messageId is null && envelope.TryGetProperty("messageId", out var id) && id.TryGetGuid(out var fromEnvelope))
                messageId = fromEnvelope;
            if (messageId is null)
                return Poisoned("No message id: the event log cannot deduplicate it.");

            var urns = envelope.TryGetProperty("messageType", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(u => u.GetString() ?? string.Empty).ToList()
                : [];
            typeName = urns.Count > 0 ? string.Join(';', urns) : null;
            var type = urns.Select(MessageCatalog.FindByUrn).FirstOrDefault(t => t is not null);
            if (type is null)
                return Poisoned("No contract of the suite matches the message type.");
            if (MessageCatalog.Describe(type).Topic.Name != stream.Topic)
                return Poisoned($"{type.Name} belongs to topic '{MessageCatalog.Describe(type).Topic.Name}', not '{stream.Topic}'.");
            if (!envelope.TryGetProperty("message", out var payload) || payload.ValueKind != JsonValueKind.Object)
                return Poisoned("The envelope has no message.");

            var message = payload.Deserialize(type, MessageJson.Options) ?? throw new JsonException("The message is null.");
            DateTimeOffset? sentAt = envelope.TryGetProperty("sentTime", out var sent) && sent.TryGetDateTimeOffset(out var at) ? at : null;
            var record = new LogRecord(stream, offset, messageId.Value, message, payload.GetRawText(),
                stream.Partition is null || routingKey.Length == 0 ? null : routingKey, sentAt, TraceParentOf(properties, envelope));
            return new LogItem(deliveryTag, stream, offset, record, null);
        }
        catch (JsonException e)
        {
            return Poisoned($"Unreadable body: {e.Message}");
        }

        LogItem Poisoned(string error) => new(deliveryTag, stream, offset, null,
            new LogPoison(stream, offset, messageId, typeName, error, Encoding.UTF8.GetString(body.Span), HeadersJson(properties), properties.ContentType));
    }

    /// <summary>The producer's send span: MassTransit carries its W3C activity id (<c>00-trace-span-flags</c>) as a transport
    /// header and in the envelope's headers.</summary>
    static string? TraceParentOf(IReadOnlyBasicProperties properties, JsonElement envelope)
    {
        string? activityId = null;
        if (properties.Headers is { } headers && headers.TryGetValue(ActivityHeader, out var value))
            activityId = value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString();
        if (activityId is null && envelope.TryGetProperty("headers", out var envelopeHeaders) && envelopeHeaders.ValueKind == JsonValueKind.Object
            && envelopeHeaders.TryGetProperty(ActivityHeader, out var fromEnvelope))
            activityId = fromEnvelope.GetString();
        return activityId;
    }

    static string? HeadersJson(IReadOnlyBasicProperties properties) =>
        properties.Headers is null
            ? null
            : JsonSerializer.Serialize(properties.Headers.ToDictionary(h => h.Key,
                h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(h.Value, CultureInfo.InvariantCulture)));

    /// <summary>A message's contract type by the short name the event log stores.</summary>
    public static Type? ContractType(string name) => ByName.GetValueOrDefault(name);

    static readonly Dictionary<string, Type> ByName = MessageCatalog.ContractTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
}
