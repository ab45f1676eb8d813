namespace ECommerce.Coupon.Coupons;

public sealed record CouponResponse(Guid Id, string Name, decimal DiscountAmount, int TotalQuantity, int IssuedQuantity, int RemainingQuantity)
{
    public static CouponResponse From(CouponEntity c) =>
        new(c.Id, c.Name, c.DiscountAmount, c.TotalQuantity, c.IssuedQuantity, c.TotalQuantity - c.IssuedQuantity);
}
