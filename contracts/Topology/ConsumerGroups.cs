using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;

namespace ECommerce.Contracts.Topology;

/// <summary>Which message types each service's consumer group consumes; the topics it subscribes to follow from them, and
/// its retry and dead-letter topics are created for it before any service starts. A group skips a topic's records of types
/// not listed here (a topic carries more than one group wants). A service that consumes a type not listed for its group, or
/// lists a type it does not consume, fails at start.
/// The data platform has no group here: it reads every domain topic itself, partition by partition, its offsets stored in
/// its own database with its effects.</summary>
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
