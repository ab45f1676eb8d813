using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;

namespace ECommerce.Component.Tests.Order;

/// <summary>The answers the balance and coupon services give the saga, and the saga's own timeout, as tests publish them.</summary>
public static class SagaAnswers
{
    public static readonly Guid CouponId = Guid.Parse("7d1f6f1e-0c8e-4f57-9d35-6f2a3c1b9a01");

    public static CouponUsed CouponUsed(Guid orderId, long userId, Guid userCouponId, decimal discount) =>
        new(orderId, userCouponId, CouponId, userId, discount, DateTimeOffset.UtcNow);

    public static CouponUseRejected CouponRejected(Guid orderId, long userId, Guid userCouponId) =>
        new(orderId, userCouponId, CouponId, userId, "NotAvailable", DateTimeOffset.UtcNow);

    public static BalanceDeducted Deducted(Guid orderId, long userId, decimal amount) =>
        new(orderId, userId, amount, 1_000m - amount, 2, DateTimeOffset.UtcNow);

    public static BalanceDeductionRejected DeductionRejected(Guid orderId, long userId, decimal amount) =>
        new(orderId, userId, amount, 1m, "InsufficientBalance", DateTimeOffset.UtcNow);

    public static OrderTimeoutExpired Timeout(Guid orderId) => new(orderId, DateTimeOffset.UtcNow);
}
