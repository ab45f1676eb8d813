using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>A user asked for a coupon; requests for one coupon are decided in the order of this topic's partition.</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponIssueRequested(Guid RequestId, [property: PartitionKey] Guid CouponId, long UserId, DateTimeOffset RequestedAt);
