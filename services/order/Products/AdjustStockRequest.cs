using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Order.Products;

/// <summary>Restock (positive) or write-off (negative) outside any order.</summary>
public sealed record AdjustStockRequest(int? Delta)
{
    public Validation Validate() => new Validation()
        .Require(Delta is not null and not 0 && Math.Abs(Delta.Value) <= CreateProductRequest.MaxStock, "delta",
            $"Required, non-zero, between -{CreateProductRequest.MaxStock} and {CreateProductRequest.MaxStock}.");
}
