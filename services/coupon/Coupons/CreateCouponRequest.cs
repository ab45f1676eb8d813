using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Coupon.Coupons;

public sealed record CreateCouponRequest(string? Name, decimal? DiscountAmount, int? TotalQuantity)
{
    public Validation Validate() => new Validation()
        .Require(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 100, "name", "Required, 1 to 100 characters.")
        .Amount(DiscountAmount, "discountAmount")
        .Require(TotalQuantity is >= 1 and <= 10_000_000, "totalQuantity", "Must be between 1 and 10000000.");
}
