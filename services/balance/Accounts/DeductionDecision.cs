namespace ECommerce.Balance.Accounts;

/// <summary>An order whose deduction was refused, or fenced off because its refund arrived first. With the deducted entries
/// it makes every order's deduction a decision taken once: a repeated deduct for the order changes nothing.</summary>
public sealed class DeductionDecision
{
    /// <summary>The order's refund came before any deduction (the saga gave up waiting and compensated): a deduction that
    /// arrives after it must not take money that nothing will give back.</summary>
    public const string Compensated = "Compensated";

    public Guid OrderId { get; set; }

    public long UserId { get; set; }

    /// <summary>A <see cref="ECommerce.Contracts.Balances.BalanceRejectionReasons"/> value, or <see cref="Compensated"/>.</summary>
    public required string Reason { get; set; }

    public DateTimeOffset DecidedAt { get; set; }
}
