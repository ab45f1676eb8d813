namespace ECommerce.Balance.Accounts;

/// <summary>One row per user: the balance and how many changes it has had. Every change locks this row first (see
/// <see cref="AccountLocks"/>), so a user's changes are applied one after another and numbered without gaps.</summary>
public sealed class BalanceAccount
{
    public long UserId { get; set; }

    /// <summary>In cents: integer arithmetic in the database is exact on both providers (SQLite has no decimal type).</summary>
    public long BalanceCents { get; set; }

    /// <summary>The sequence number of the user's latest change; 0 before the first.</summary>
    public long Sequence { get; set; }
}
