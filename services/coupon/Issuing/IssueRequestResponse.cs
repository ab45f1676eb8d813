namespace ECommerce.Coupon.Issuing;

public sealed record IssueRequestResponse(Guid RequestId, Guid CouponId, long UserId, string Status, string? Reason, Guid? UserCouponId)
{
    public static IssueRequestResponse From(IssueRequestEntity r) => new(r.Id, r.CouponId, r.UserId, r.Status, r.Reason, r.UserCouponId);

    /// <summary>The answer to the POST that accepted <paramref name="r"/>, whatever has become of it since.</summary>
    public static IssueRequestResponse Accepted(IssueRequestEntity r) => new(r.Id, r.CouponId, r.UserId, IssueRequestStatus.Pending, null, null);
}
