namespace ECommerce.Services.IntegrationTests.Order;

public sealed record OrderRow(Guid Id, long UserId, Guid? UserCouponId, string Status, string? FailureReason, decimal TotalAmount,
    decimal DiscountAmount, decimal PaidAmount);
