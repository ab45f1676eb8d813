namespace ECommerce.Coupon.Issuing;

/// <summary>A user's request for a coupon, accepted over HTTP and decided asynchronously by the issuing consumer.</summary>
public sealed class IssueRequestEntity
{
    public Guid Id { get; set; }

    public Guid CouponId { get; set; }

    public long UserId { get; set; }

    /// <summary>The request's place in its coupon's first-come-first-served order, 1, 2, 3…, given when it is decided.
    /// Requests are decided in the order they were accepted (see <see cref="PendingRequests"/>), so a request accepted before
    /// another was even sent always has the lower position.</summary>
    public long? Position { get; set; }

    public required string Status { get; set; }

    public string? Reason { get; set; }

    public Guid? UserCouponId { get; set; }

    /// <summary>The client's Idempotency-Key; a retried POST with the same key returns this request.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTimeOffset AcceptedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }
}
