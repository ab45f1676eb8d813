namespace ECommerce.DataPlatform.Log;

/// <summary>One event read from the retained log.</summary>
/// <param name="Offset">The record's offset in its stream.</param>
/// <param name="Message">The deserialized contract instance.</param>
/// <param name="Payload">The message as the producer serialized it (JSON).</param>
/// <param name="Key">The partition key (the routing key the consistent-hash exchange hashed); null on an unkeyed topic.</param>
/// <param name="SentAt">When the producer sent it, if the envelope says.</param>
/// <param name="TraceParent">The producer's send span as a W3C trace parent (<c>00-trace-span-flags</c>), if it had one.</param>
public sealed record LogRecord(LogStream Stream, long Offset, Guid MessageId, object Message, string Payload, string? Key,
    DateTimeOffset? SentAt, string? TraceParent)
{
    /// <summary>The trace the producer's send belonged to.</summary>
    public string? TraceId => TraceParent?.Split('-') is { Length: 4 } parts && parts[1].Length == 32 ? parts[1] : null;
}
