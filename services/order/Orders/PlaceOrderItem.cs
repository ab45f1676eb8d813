namespace ECommerce.Order.Orders;

public sealed record PlaceOrderItem(Guid? ProductId, int? Quantity);
