namespace ECommerce.Contracts.Balances;

/// <summary>Why a <see cref="DeductBalance"/> was refused (<see cref="BalanceDeductionRejected.Reason"/>).</summary>
public static class BalanceRejectionReasons
{
    /// <summary>The balance is less than the amount; it is left unchanged, never negative.</summary>
    public const string InsufficientBalance = "InsufficientBalance";

    /// <summary>The amount is not positive, has more than two fraction digits, or is beyond what a balance can hold.</summary>
    public const string InvalidAmount = "InvalidAmount";

    /// <summary>The user id is not a positive integer.</summary>
    public const string InvalidUser = "InvalidUser";
}
