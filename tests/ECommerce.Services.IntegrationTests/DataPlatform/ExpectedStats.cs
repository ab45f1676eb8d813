using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>The projections computed independently of the service, from the distinct events published.</summary>
public sealed record ExpectedStats(long CompletedOrders, decimal Revenue, long CouponsIssued, decimal BalanceCharged, long EventsIngested,
    IReadOnlyDictionary<Guid, (long Quantity, decimal Revenue)> Products)
{
    public static ExpectedStats Of(IEnumerable<PlannedEvent> distinct)
    {
        ArgumentNullException.ThrowIfNull(distinct);
        var events = distinct.Select(e => e.Message).ToList();
        var orders = events.OfType<OrderCompleted>().ToList();
        var products = orders.SelectMany(o => o.Items).GroupBy(l => l.ProductId)
            .ToDictionary(g => g.Key, g => ((long)g.Sum(l => l.Quantity), g.Sum(l => l.Amount)));
        return new ExpectedStats(orders.Count, orders.Sum(o => o.PaidAmount), events.OfType<CouponIssued>().Count(),
            events.OfType<BalanceCharged>().Sum(c => c.Amount), events.Count, products);
    }
}
