using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>A user-coupon was spent on an order (answer to <see cref="UseCoupon"/>).</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponUsed(Guid OrderId, Guid UserCouponId, [property: PartitionKey] Guid CouponId, long UserId, decimal DiscountAmount, DateTimeOffset UsedAt);
