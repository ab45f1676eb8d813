using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Coupon.Issuing;

public sealed record IssueCouponRequest(long? UserId)
{
    public Validation Validate() => new Validation().UserId(UserId);
}
