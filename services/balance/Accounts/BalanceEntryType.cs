namespace ECommerce.Balance.Accounts;

public static class BalanceEntryType
{
    public const string Charged = "Charged";
    public const string Deducted = "Deducted";
    public const string Refunded = "Refunded";
}
