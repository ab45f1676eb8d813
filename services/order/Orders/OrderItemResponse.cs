namespace ECommerce.Order.Orders;

public sealed record OrderItemResponse(Guid ProductId, int Quantity, decimal UnitPrice, decimal Amount);
