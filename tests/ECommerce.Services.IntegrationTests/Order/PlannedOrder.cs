namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>One order the load will place; <see cref="Key"/> is its Idempotency-Key, so a retry after a lost reply is the same
/// order.</summary>
public sealed record PlannedOrder(string Key, long UserId, Guid? UserCouponId, IReadOnlyList<(Guid ProductId, int Quantity)> Lines);
