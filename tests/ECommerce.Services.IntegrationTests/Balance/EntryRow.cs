namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>A row of balance_entries as stored (amounts in cents).</summary>
public sealed record EntryRow(long UserId, long Sequence, string Type, long AmountCents, long BalanceAfterCents, Guid? OrderId);
