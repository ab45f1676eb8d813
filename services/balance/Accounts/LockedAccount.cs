namespace ECommerce.Balance.Accounts;

/// <summary>One of several accounts a locking statement returned, inside the transaction that holds their locks.</summary>
public sealed class LockedAccount
{
    public long UserId { get; init; }

    public long BalanceCents { get; init; }

    public long Sequence { get; init; }
}
