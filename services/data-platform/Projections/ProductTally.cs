namespace ECommerce.DataPlatform.Projections;

/// <summary>A product's quantity and revenue accumulated in memory.</summary>
public sealed class ProductTally
{
    public long Quantity { get; set; }

    public long RevenueCents { get; set; }
}
