namespace ECommerce.Order.Products;

/// <summary>A product and its stock. Stock only ever moves through conditional updates (see <see cref="StockLedger"/>), never
/// through a read-modify-write of this entity, so concurrent orders cannot take the same unit twice.</summary>
public sealed class ProductEntity
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public decimal Price { get; set; }

    public int Stock { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
