using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Order.Products;

public sealed record CreateProductRequest(string? Name, decimal? Price, int? Stock)
{
    public const int MaxStock = 100_000_000;

    public Validation Validate() => new Validation()
        .Require(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 200, "name", "Required, 1 to 200 characters.")
        .Amount(Price, "price")
        .Require(Stock is >= 0 and <= MaxStock, "stock", $"Must be between 0 and {MaxStock}.");
}
