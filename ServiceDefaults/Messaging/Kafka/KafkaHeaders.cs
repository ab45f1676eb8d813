using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The headers a record of the suite carries besides its envelope (whose JSON holds the message, its id and type
/// too): what a consumer needs without parsing the body (the contract type, to skip what its group does not consume; the
/// trace context) and, on the retry and dead-letter topics, where a record came from and why it failed.</summary>
public static class KafkaHeaders
{
    public const string ContentType = "Content-Type";
    public const string MessageId = "MessageId";

    /// <summary>The contract type's full name.</summary>
    public const string MessageType = "ECommerce-MessageType";

    /// <summary>The sending span's W3C id: MassTransit parents its receive span on this transport header.</summary>
    public const string ActivityId = "MT-Activity-Id";

    /// <summary>The domain or command topic the record was first produced to (without the suite's prefix).</summary>
    public const string OriginTopic = "ECommerce-Origin-Topic";

    public const string OriginPartition = "ECommerce-Origin-Partition";
    public const string OriginOffset = "ECommerce-Origin-Offset";

    /// <summary>How many redelivery tiers the record has been through (1 on the first retry topic).</summary>
    public const string Attempt = "ECommerce-Attempt";

    /// <summary>When a record on a retry topic may be handled again, in Unix milliseconds.</summary>
    public const string DueAt = "ECommerce-Due-At";

    /// <summary>The last failure: exception type, message and stack trace.</summary>
    public const string Exception = "ECommerce-Exception";

    public const string FaultedAt = "ECommerce-Faulted-At";

    public static string? Get(Headers? headers, string name)
    {
        if (headers is null || !headers.TryGetLastBytes(name, out var bytes))
            return null;
        return Encoding.UTF8.GetString(bytes);
    }

    public static long? GetLong(Headers? headers, string name) =>
        long.TryParse(Get(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Replaces (or adds) a header.</summary>
    public static void Set(Headers headers, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.Remove(name);
        headers.Add(name, Encoding.UTF8.GetBytes(value));
    }

    public static void Set(Headers headers, string name, long value) => Set(headers, name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The headers as MassTransit's dispatcher takes them (transport headers of the receive context).</summary>
    public static Dictionary<string, object> ToTransportHeaders(Headers? headers)
    {
        var result = new Dictionary<string, object>(headers?.Count ?? 1, StringComparer.Ordinal);
        if (headers is not null)
        {
            foreach (var header in headers)
                result[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        result.TryAdd(ContentType, Outbox.OutboxEnvelope.ContentType);
        return result;
    }

    /// <summary>A copy that can be changed without touching the original record's headers.</summary>
    public static Headers Copy(Headers? headers)
    {
        var copy = new Headers();
        if (headers is not null)
        {
            foreach (var header in headers)
                copy.Add(header.Key, header.GetValueBytes());
        }

        return copy;
    }
}
