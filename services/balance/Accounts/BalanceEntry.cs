namespace ECommerce.Balance.Accounts;

/// <summary>One applied change of a user's balance: the history. (UserId, Sequence) and (OrderId, Type) are unique — the
/// database's last defence against a gap, a double number or a second deduction or refund of one order.</summary>
public sealed class BalanceEntry
{
    public Guid Id { get; set; }

    public long UserId { get; set; }

    public long Sequence { get; set; }

    public required string Type { get; set; }

    public long AmountCents { get; set; }

    public long BalanceAfterCents { get; set; }

    /// <summary>The order a deduction or refund belongs to; null for a charge.</summary>
    public Guid? OrderId { get; set; }

    /// <summary>The client's Idempotency-Key of a charge; a retried POST with the same key returns this charge.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTimeOffset At { get; set; }
}
