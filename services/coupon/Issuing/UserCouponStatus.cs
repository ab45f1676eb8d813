namespace ECommerce.Coupon.Issuing;

public static class UserCouponStatus
{
    public const string Available = "Available";
    public const string Used = "Used";
}
