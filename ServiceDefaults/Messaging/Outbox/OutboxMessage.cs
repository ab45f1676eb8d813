namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>An event written in the same transaction as the state change that produced it, waiting to be published.
/// <see cref="Id"/> becomes the message id, so a re-publish after a crash is the same message to every consumer. The row is
/// deleted once the broker confirmed it: the table holds only what is still to be published.</summary>
public sealed class OutboxMessage
{
    /// <summary>Commit order: the relay publishes rows of one partition key in this order.</summary>
    public long Sequence { get; set; }

    public Guid Id { get; set; }

    public required string Topic { get; set; }

    public string? PartitionKey { get; set; }

    public required string MessageType { get; set; }

    public required string Body { get; set; }

    /// <summary>W3C trace context of the operation that produced the message, so its trace continues through the relay.</summary>
    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
