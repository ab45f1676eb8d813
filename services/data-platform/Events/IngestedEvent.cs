namespace ECommerce.DataPlatform.Events;

/// <summary>One event of any topic, stored once (by message id) in the order it was ingested.</summary>
public sealed class IngestedEvent
{
    public long Sequence { get; set; }

    public Guid MessageId { get; set; }

    public required string Topic { get; set; }

    public string? PartitionKey { get; set; }

    public required string MessageType { get; set; }

    public required string Payload { get; set; }

    /// <summary>The trace the event's consumption belonged to: the trace of the request that caused it.</summary>
    public string? TraceId { get; set; }

    public DateTimeOffset IngestedAt { get; set; }
}
