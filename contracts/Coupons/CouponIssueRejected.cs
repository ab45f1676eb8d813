using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>The request lost. <see cref="Reason"/> is <c>SoldOut</c> or <c>AlreadyIssued</c>.</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponIssueRejected(Guid RequestId, [property: PartitionKey] Guid CouponId, long UserId, string Reason, DateTimeOffset RejectedAt);
