namespace ECommerce.Coupon.Issuing;

public static class IssueRequestStatus
{
    public const string Pending = "Pending";
    public const string Issued = "Issued";
    public const string Rejected = "Rejected";
}
