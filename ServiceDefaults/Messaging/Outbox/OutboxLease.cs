namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Which instance's relay may publish a database's outbox. One publisher at a time keeps per-key order across
/// instances; the lease expires when its holder dies, and another instance takes over.</summary>
public sealed class OutboxLease
{
    public required string Name { get; set; }

    public required string Owner { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
