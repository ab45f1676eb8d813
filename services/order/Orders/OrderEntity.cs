namespace ECommerce.Order.Orders;

/// <summary>An accepted order as clients see it. Created Pending by the HTTP request; the saga writes its outcome.</summary>
public sealed class OrderEntity
{
    public Guid Id { get; set; }

    public long UserId { get; set; }

    public Guid? UserCouponId { get; set; }

    public required string Status { get; set; }

    public string? FailureReason { get; set; }

    public decimal TotalAmount { get; set; }

    public decimal DiscountAmount { get; set; }

    public decimal PaidAmount { get; set; }

    /// <summary>The client's Idempotency-Key; a retried POST with the same key returns this order.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public List<OrderLineEntity> Lines { get; set; } = [];
}
