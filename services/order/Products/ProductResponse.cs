namespace ECommerce.Order.Products;

public sealed record ProductResponse(Guid Id, string Name, decimal Price, int Stock)
{
    public static ProductResponse From(ProductEntity p) => new(p.Id, p.Name, p.Price, p.Stock);
}
