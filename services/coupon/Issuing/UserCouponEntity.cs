namespace ECommerce.Coupon.Issuing;

/// <summary>A coupon held by a user. (CouponId, UserId) is unique: the database's last defence against a double issue.</summary>
public sealed class UserCouponEntity
{
    public Guid Id { get; set; }

    public Guid CouponId { get; set; }

    public long UserId { get; set; }

    public required string Status { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    /// <summary>The order that spent it; using and restoring are idempotent by this id.</summary>
    public Guid? UsedByOrderId { get; set; }

    public long Version { get; set; }
}
