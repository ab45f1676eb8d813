namespace ECommerce.Coupon.Issuing;

public sealed record IssueRequestResponse(Guid RequestId, Guid CouponId, long UserId, string Status, string? Reason, Guid? UserCouponId)
{
    public static IssueRequestResponse From(IssueRequestEntity r) => new(r.Id, r.CouponId, r.UserId, r.Status, r.Reason, r.UserCouponId);
}
