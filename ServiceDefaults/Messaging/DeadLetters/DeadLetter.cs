namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>A message that failed after its whole retry budget, kept with its exception until an operator re-drives or
/// discards it.</summary>
public sealed class DeadLetter
{
    public Guid Id { get; set; }

    /// <summary>The queue the message failed on, to which a re-drive sends it back.</summary>
    public required string Queue { get; set; }

    public string? MessageType { get; set; }

    public Guid? MessageId { get; set; }

    public string? Exception { get; set; }

    public DateTimeOffset FaultedAt { get; set; }

    /// <summary>The whole transport body (the serializer's envelope) as received from the error queue.</summary>
    public required string Payload { get; set; }

    /// <summary>Transport headers, JSON.</summary>
    public string? Headers { get; set; }

    public string? ContentType { get; set; }
}
