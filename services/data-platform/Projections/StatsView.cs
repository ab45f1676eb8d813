namespace ECommerce.DataPlatform.Projections;

public sealed record StatsView(long CompletedOrders, decimal Revenue, long CouponsIssued, decimal BalanceCharged, long EventsIngested);
