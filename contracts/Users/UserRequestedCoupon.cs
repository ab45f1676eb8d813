using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Users;

/// <summary>User action: asked for a coupon.</summary>
[Topic(Topics.UserActivity)]
public sealed record UserRequestedCoupon([property: PartitionKey] long UserId, Guid CouponId, Guid RequestId, DateTimeOffset At);
