namespace ECommerce.Coupon.Issuing;

/// <summary>A user's request for a coupon, accepted over HTTP and decided asynchronously by the issuing consumer.</summary>
public sealed class IssueRequestEntity
{
    public Guid Id { get; set; }

    public Guid CouponId { get; set; }

    public long UserId { get; set; }

    /// <summary>1, 2, 3… per coupon, in the order requests were accepted (first come, first served).</summary>
    public long AcceptanceNumber { get; set; }

    public required string Status { get; set; }

    public string? Reason { get; set; }

    public Guid? UserCouponId { get; set; }

    /// <summary>The client's Idempotency-Key; a retried POST with the same key returns this request.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTimeOffset AcceptedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }
}
