using ECommerce.Balance.Accounts;

namespace ECommerce.Balance.Charges;

public sealed record HistoryItem(long Sequence, string Type, decimal Amount, decimal BalanceAfter, Guid? OrderId, DateTimeOffset At)
{
    public static HistoryItem From(BalanceEntry e) =>
        new(e.Sequence, e.Type, Money.FromCents(e.AmountCents), Money.FromCents(e.BalanceAfterCents), e.OrderId, e.At);
}
