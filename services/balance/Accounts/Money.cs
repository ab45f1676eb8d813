namespace ECommerce.Balance.Accounts;

/// <summary>Amounts travel as decimals with at most two fraction digits and are stored as whole cents.</summary>
public static class Money
{
    /// <summary>What a balance may hold in total: far below the range of a 64-bit count of cents, so sums never overflow.</summary>
    public const decimal MaxBalance = 1_000_000_000_000m;

    public static long ToCents(decimal amount) => decimal.ToInt64(amount * 100m);

    public static decimal FromCents(long cents) => cents / 100m;

    /// <summary>A positive amount with at most two fraction digits, at most <paramref name="maximum"/>.</summary>
    public static bool IsValidAmount(decimal amount, decimal maximum = MaxBalance) =>
        amount > 0m && amount <= maximum && decimal.Round(amount, 2) == amount;
}
