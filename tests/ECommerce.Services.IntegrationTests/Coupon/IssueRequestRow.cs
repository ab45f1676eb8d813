namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>A row of the coupon service's <c>issue_requests</c> table.</summary>
public sealed record IssueRequestRow(Guid Id, Guid CouponId, long UserId, long? Position, string Status, string? Reason,
    Guid? UserCouponId, string? IdempotencyKey, DateTimeOffset AcceptedAt, DateTimeOffset? DecidedAt);
