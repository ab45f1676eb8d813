using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Orders;

/// <summary>An order finished: stock taken, payment made, coupon used if any.</summary>
[Topic(Topics.OrderCompleted)]
public sealed record OrderCompleted(Guid OrderId, long UserId, IReadOnlyList<OrderLine> Items, decimal TotalAmount, decimal DiscountAmount, decimal PaidAmount, Guid? UserCouponId, DateTimeOffset CompletedAt);
