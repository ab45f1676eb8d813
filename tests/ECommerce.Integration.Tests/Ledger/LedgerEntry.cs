namespace ECommerce.Integration.Tests.Ledger;

/// <summary>The effect of one applied message. Deliberately not unique per message id: if deduplication failed, the second
/// application would show up as a second row instead of being hidden by a constraint.</summary>
public sealed class LedgerEntry
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public required string Kind { get; set; }
}
