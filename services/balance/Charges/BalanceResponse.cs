namespace ECommerce.Balance.Charges;

public sealed record BalanceResponse(long UserId, decimal Balance);
