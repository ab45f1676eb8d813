namespace ECommerce.Coupon.Issuing;

public sealed record UserCouponResponse(Guid UserCouponId, Guid CouponId, string Name, decimal DiscountAmount, string Status,
    DateTimeOffset IssuedAt, DateTimeOffset? UsedAt);
