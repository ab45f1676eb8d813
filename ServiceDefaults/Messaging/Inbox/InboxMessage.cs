namespace ECommerce.ServiceDefaults.Messaging.Inbox;

/// <summary>Proof that <see cref="Consumer"/> applied the message <see cref="MessageId"/>: written in the same transaction as
/// the effect, so a redelivery finds it and does nothing.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
