namespace ECommerce.DataPlatform.Projections;

/// <summary>One product's sales over every completed order.</summary>
public sealed class ProductStats
{
    public Guid ProductId { get; set; }

    public long Quantity { get; set; }

    public long RevenueCents { get; set; }
}
