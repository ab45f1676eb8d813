using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;

namespace ECommerce.DataPlatform.Projections;

/// <summary>What a set of events adds to the projections. The live ingest adds one per batch to the stored projections; a
/// replay builds one over the whole log and stores it in their place: one definition of the projections for both.</summary>
public sealed class ProjectionDelta
{
    public long CompletedOrders { get; private set; }

    /// <summary>What completed orders were paid (after discounts).</summary>
    public long RevenueCents { get; private set; }

    public long CouponsIssued { get; private set; }

    public long BalanceChargedCents { get; private set; }

    public long EventsIngested { get; private set; }

    /// <summary>Per product: quantity sold and its lines' amounts (before order-level discounts).</summary>
    public Dictionary<Guid, ProductTally> Products { get; } = [];

    /// <summary>Counts one new event (never call it for a duplicate).</summary>
    public void Apply(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EventsIngested++;
        switch (message)
        {
            case OrderCompleted order:
                CompletedOrders++;
                RevenueCents += Money.ToCents(order.PaidAmount);
                foreach (var line in order.Items)
                {
                    if (!Products.TryGetValue(line.ProductId, out var tally))
                        Products[line.ProductId] = tally = new ProductTally();
                    tally.Quantity += line.Quantity;
                    tally.RevenueCents += Money.ToCents(line.Amount);
                }

                break;
            case CouponIssued:
                CouponsIssued++;
                break;
            case BalanceCharged charged:
                BalanceChargedCents += Money.ToCents(charged.Amount);
                break;
        }
    }
}
