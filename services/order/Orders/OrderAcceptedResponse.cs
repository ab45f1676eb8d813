namespace ECommerce.Order.Orders;

public sealed record OrderAcceptedResponse(Guid OrderId, string Status);
