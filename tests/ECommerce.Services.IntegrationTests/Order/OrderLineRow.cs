namespace ECommerce.Services.IntegrationTests.Order;

public sealed record OrderLineRow(Guid OrderId, Guid ProductId, int Quantity);
