namespace ECommerce.DataPlatform.Log;

/// <summary>The domain event a record of the log carries.</summary>
/// <param name="Message">The deserialized contract instance.</param>
/// <param name="Payload">The message as the producer serialized it (JSON).</param>
/// <param name="Key">The record's key: the partition key on a keyed topic, null on an unkeyed one.</param>
/// <param name="SentAt">When the producer sent it, if the envelope says.</param>
/// <param name="TraceParent">The producer's send span as a W3C trace parent (<c>00-trace-span-flags</c>), if it had one.</param>
public sealed record LogRecord(Guid MessageId, object Message, string Payload, string? Key, DateTimeOffset? SentAt, string? TraceParent)
{
    /// <summary>The trace the producer's send belonged to.</summary>
    public string? TraceId => TraceParent?.Split('-') is { Length: 4 } parts && parts[1].Length == 32 ? parts[1] : null;
}
