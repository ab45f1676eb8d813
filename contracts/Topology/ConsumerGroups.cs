using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;

namespace ECommerce.Contracts.Topology;

/// <summary>Which message types each service's consumer group consumes; the topics it reads follow from them. The topology
/// provisioner creates these groups' queues before any service starts, so an event published before its consumers first
/// came up waits for them, as it would in a Kafka consumer group created ahead of time, and routes to each queue only the
/// types listed here (a group no longer receives, and discards, the rest of a topic's events). A service that consumes a
/// type not listed for its group fails at start.
/// The data platform has no group here: it reads every domain topic from the retained log (RabbitMQ streams bound to every
/// partition), which it declares itself.</summary>
public static class ConsumerGroups
{
    public static IReadOnlyDictionary<string, IReadOnlyList<Type>> All { get; } = new Dictionary<string, IReadOnlyList<Type>>(StringComparer.Ordinal)
    {
        ["coupon"] = [typeof(CouponIssueRequested), typeof(UseCoupon), typeof(RestoreCoupon)],
        ["balance"] = [typeof(DeductBalance), typeof(RefundBalance)],
        ["order"] =
        [
            typeof(OrderSubmitted), typeof(OrderTimeoutExpired),
            typeof(BalanceDeducted), typeof(BalanceDeductionRejected),
            typeof(CouponUsed), typeof(CouponUseRejected),
        ],
    };
}
