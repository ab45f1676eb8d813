using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>A coupon was created with a fixed stock.</summary>
[Topic(Topics.CouponIssue)]
public sealed record CouponCreated([property: PartitionKey] Guid CouponId, string Name, decimal DiscountAmount, int TotalQuantity, DateTimeOffset CreatedAt);
