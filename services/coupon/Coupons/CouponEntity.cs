namespace ECommerce.Coupon.Coupons;

public sealed class CouponEntity
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public decimal DiscountAmount { get; set; }

    public int TotalQuantity { get; set; }

    public int IssuedQuantity { get; set; }

    /// <summary>How many issue requests this coupon has accepted. Incrementing it locks the coupon's row until the request
    /// commits, so a coupon's requests get their acceptance numbers — and their outbox sequence — in commit order: the order
    /// in which the issuing consumer will decide them.</summary>
    public long AcceptedCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Optimistic concurrency: every change bumps it.</summary>
    public long Version { get; set; }
}
