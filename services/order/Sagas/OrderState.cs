using MassTransit;

namespace ECommerce.Order.Sagas;

/// <summary>The order saga's persisted state, one row per order (<see cref="CorrelationId"/> = order id). The flags record
/// exactly which steps took effect, so compensation undoes those and nothing else.</summary>
public sealed class OrderState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }

    public required string CurrentState { get; set; }

    /// <summary>Optimistic concurrency token, bumped by every update.</summary>
    public int Version { get; set; }

    public long UserId { get; set; }

    public Guid? UserCouponId { get; set; }

    public decimal TotalAmount { get; set; }

    public decimal DiscountAmount { get; set; }

    public decimal PaidAmount { get; set; }

    public bool StockReserved { get; set; }

    /// <summary>The coupon service confirmed the coupon is spent on this order.</summary>
    public bool CouponUsed { get; set; }

    public bool CouponRestoreRequested { get; set; }

    /// <summary>A payment that arrived after the order failed was sent back.</summary>
    public bool RefundRequested { get; set; }

    public string? FailureReason { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the order times out if still undecided; cleared when it ends or when the timeout has been raised.</summary>
    public DateTimeOffset? TimeoutAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
