namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>One logical request of the load: a user asking for a coupon. <see cref="Key"/> is its Idempotency-Key, the same on
/// every attempt, so a retry after a failure can never be accepted twice.</summary>
public sealed record PlannedRequest(int Index, long UserId, int Coupon, string Key);
