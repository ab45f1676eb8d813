namespace ECommerce.Contracts.Orders;

/// <summary>One product line of an order, priced when the order was accepted.</summary>
public sealed record OrderLine(Guid ProductId, int Quantity, decimal UnitPrice, decimal Amount);
