namespace ECommerce.Contracts.Coupons;

/// <summary>The reasons carried by <see cref="CouponIssueRejected"/> and <see cref="CouponUseRejected"/>.</summary>
public static class CouponRejectionReasons
{
    public const string SoldOut = "SoldOut";
    public const string AlreadyIssued = "AlreadyIssued";
    public const string NotFound = "NotFound";
    public const string NotOwner = "NotOwner";
    public const string NotAvailable = "NotAvailable";
}
