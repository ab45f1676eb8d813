namespace ECommerce.Order.Orders;

/// <summary>One product line of an order, priced when the order was accepted.</summary>
public sealed class OrderLineEntity
{
    public Guid OrderId { get; set; }

    /// <summary>1, 2, 3… in the order the client listed the items.</summary>
    public int LineNumber { get; set; }

    public Guid ProductId { get; set; }

    public int Quantity { get; set; }

    public decimal UnitPrice { get; set; }

    public decimal Amount { get; set; }
}
