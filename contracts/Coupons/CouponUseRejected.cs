using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>A user-coupon could not be spent on an order. <see cref="CouponId"/> is empty when the user-coupon is unknown.</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponUseRejected(Guid OrderId, Guid UserCouponId, [property: PartitionKey] Guid CouponId, long UserId, string Reason, DateTimeOffset RejectedAt);
