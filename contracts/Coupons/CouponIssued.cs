using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>The request won: the user now holds a user-coupon.</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponIssued(Guid RequestId, [property: PartitionKey] Guid CouponId, long UserId, Guid UserCouponId, int RemainingQuantity, DateTimeOffset IssuedAt);
