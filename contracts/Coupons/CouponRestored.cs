using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>A used user-coupon was made available again because its order was compensated.</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponRestored(Guid OrderId, Guid UserCouponId, [property: PartitionKey] Guid CouponId, long UserId, DateTimeOffset RestoredAt);
