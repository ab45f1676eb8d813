namespace ECommerce.Balance.Accounts;

/// <summary>A user's account as a locking statement returned it, inside the transaction that holds the lock.</summary>
public sealed class AccountState
{
    public long UserId { get; init; }

    public long BalanceCents { get; init; }

    public long Sequence { get; init; }
}
