namespace ECommerce.DataPlatform.Projections;

/// <summary>The totals projection: a single row.</summary>
public sealed class StatsTotals
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long CompletedOrders { get; set; }

    public long RevenueCents { get; set; }

    public long CouponsIssued { get; set; }

    public long BalanceChargedCents { get; set; }

    public long EventsIngested { get; set; }
}
