namespace ECommerce.Order.Orders;

public sealed record OrderResponse(Guid OrderId, long UserId, string Status, string? FailureReason, IReadOnlyList<OrderItemResponse> Items,
    decimal TotalAmount, decimal DiscountAmount, decimal PaidAmount, Guid? UserCouponId, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    public static OrderResponse From(OrderEntity o) =>
        new(o.Id, o.UserId, o.Status, o.FailureReason,
            o.Lines.OrderBy(l => l.LineNumber).Select(l => new OrderItemResponse(l.ProductId, l.Quantity, l.UnitPrice, l.Amount)).ToList(),
            o.TotalAmount, o.DiscountAmount, o.PaidAmount, o.UserCouponId, o.CreatedAt, o.FinishedAt);
}
