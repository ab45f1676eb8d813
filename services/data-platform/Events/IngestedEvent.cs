namespace ECommerce.DataPlatform.Events;

/// <summary>One event of any domain topic, stored once (by message id) in the order it was ingested.</summary>
public sealed class IngestedEvent
{
    /// <summary>The event's position in the event log; <c>after</c> of <c>GET /api/events</c> pages by it.</summary>
    public long Sequence { get; set; }

    public Guid MessageId { get; set; }

    public required string Topic { get; set; }

    /// <summary>The Kafka partition the event was read from (on an unkeyed topic too, whose records the producer spreads).
    /// Nullable because rows from the RabbitMQ streams, before Kafka, had none for an unkeyed topic.</summary>
    public int? Partition { get; set; }

    /// <summary>The record's offset in that partition.</summary>
    public long Offset { get; set; }

    /// <summary>The record's key: the partition key on a keyed topic, null on an unkeyed one.</summary>
    public string? PartitionKey { get; set; }

    public required string MessageType { get; set; }

    public required string Payload { get; set; }

    /// <summary>The trace the event's publication belonged to: the trace of the request that caused it.</summary>
    public string? TraceId { get; set; }

    /// <summary>When the producer sent it.</summary>
    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset IngestedAt { get; set; }
}
