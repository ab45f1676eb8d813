namespace ECommerce.Coupon.Coupons;

public sealed class CouponEntity
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public decimal DiscountAmount { get; set; }

    public int TotalQuantity { get; set; }

    public int IssuedQuantity { get; set; }

    /// <summary>How many issue requests of this coupon have been decided: the last <see cref="Issuing.IssueRequestEntity.Position"/>.</summary>
    public long DecidedCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Optimistic concurrency: every change bumps it.</summary>
    public long Version { get; set; }
}
