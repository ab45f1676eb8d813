using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Order.Data;
using ECommerce.Order.Orders;
using ECommerce.Order.Products;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.Order.Sagas;

/// <summary>What the order saga's transitions do. Resolved from the message's service scope, so it shares the saga
/// repository's DbContext and transaction: every stock move, order update and outgoing message (through
/// <see cref="IOutbox"/>, published after commit) commits together with the saga's new state, or not at all.</summary>
public sealed class OrderSagaSteps(OrderDbContext db, IOutbox outbox, StockLedger stock, TimeProvider clock, IOptions<OrderOptions> options)
{
    public static decimal AmountDue(OrderState saga)
    {
        ArgumentNullException.ThrowIfNull(saga);
        return saga.TotalAmount - saga.DiscountAmount;
    }

    /// <summary>Takes the order's facts from <paramref name="message"/>, starts its deadline and reserves its stock, all lines
    /// or none (<see cref="OrderState.StockReserved"/> tells which).</summary>
    public async Task StartAsync(OrderState saga, OrderSubmitted message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(message);
        var now = clock.GetUtcNow();
        saga.UserId = message.UserId;
        saga.UserCouponId = message.UserCouponId;
        saga.TotalAmount = message.TotalAmount;
        saga.StartedAt = now;
        saga.TimeoutAt = now + options.Value.Timeout;
        saga.StockReserved = await stock.TryReserveAsync(saga.CorrelationId, message.Items, cancellationToken);
    }

    /// <summary>The coupon goes first: its discount is only known from the coupon service's answer, and the payment must be
    /// the discounted amount.</summary>
    public void RequestCoupon(OrderState saga)
    {
        ArgumentNullException.ThrowIfNull(saga);
        outbox.Add(new UseCoupon(saga.CorrelationId, saga.UserId, saga.UserCouponId!.Value));
    }

    public static void ApplyCoupon(OrderState saga, CouponUsed message)
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(message);
        saga.CouponUsed = true;
        saga.DiscountAmount = Math.Min(message.DiscountAmount, saga.TotalAmount);
    }

    public void RequestPayment(OrderState saga) => outbox.Add(new DeductBalance(saga.CorrelationId, saga.UserId, AmountDue(saga)));

    public async Task CompleteAsync(OrderState saga, decimal paidAmount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(saga);
        var now = clock.GetUtcNow();
        saga.PaidAmount = paidAmount;
        saga.TimeoutAt = null;
        saga.FinishedAt = now;
        UpdateOrder(new OrderEntity { Id = saga.CorrelationId, Status = OrderStatus.Completed, DiscountAmount = saga.DiscountAmount, PaidAmount = paidAmount, FinishedAt = now },
            nameof(OrderEntity.Status), nameof(OrderEntity.DiscountAmount), nameof(OrderEntity.PaidAmount), nameof(OrderEntity.FinishedAt));
        var lines = await LinesAsync(saga.CorrelationId, cancellationToken);
        outbox.Add(new OrderCompleted(saga.CorrelationId, saga.UserId, lines, saga.TotalAmount, saga.DiscountAmount, paidAmount, saga.UserCouponId, now));
    }

    /// <summary>Ends the order Failed and undoes exactly what took effect: the stock reservation and a coupon the coupon service
    /// confirmed. A request still unanswered is undone when its late answer arrives (<see cref="CompensateLateCoupon"/>,
    /// <see cref="CompensateLatePayment"/>).</summary>
    public async Task FailAsync(OrderState saga, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(saga);
        var now = clock.GetUtcNow();
        if (saga.StockReserved)
        {
            await stock.ReleaseAsync(saga.CorrelationId, await LinesAsync(saga.CorrelationId, cancellationToken), cancellationToken);
            saga.StockReserved = false;
        }

        if (saga.CouponUsed)
            RestoreCoupon(saga);
        saga.FailureReason = reason;
        saga.TimeoutAt = null;
        saga.FinishedAt = now;
        UpdateOrder(new OrderEntity { Id = saga.CorrelationId, Status = OrderStatus.Failed, FailureReason = reason, FinishedAt = now },
            nameof(OrderEntity.Status), nameof(OrderEntity.FailureReason), nameof(OrderEntity.FinishedAt));
    }

    /// <summary>The coupon was spent after the order had already failed (its answer came after the timeout).</summary>
    public void CompensateLateCoupon(OrderState saga)
    {
        ArgumentNullException.ThrowIfNull(saga);
        saga.CouponUsed = true;
        if (!saga.CouponRestoreRequested)
            RestoreCoupon(saga);
    }

    /// <summary>The payment was taken after the order had already failed: give it back, once.</summary>
    public void CompensateLatePayment(OrderState saga, BalanceDeducted message)
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(message);
        if (saga.RefundRequested)
            return;
        outbox.Add(new RefundBalance(saga.CorrelationId, saga.UserId, message.Amount));
        saga.RefundRequested = true;
    }

    void RestoreCoupon(OrderState saga)
    {
        if (saga.CouponRestoreRequested)
            return;
        outbox.Add(new RestoreCoupon(saga.CorrelationId, saga.UserId, saga.UserCouponId!.Value));
        saga.CouponRestoreRequested = true;
    }

    /// <summary>Writes <paramref name="properties"/> of the order's row without reading it: the saga's own save writes them in
    /// the same statement batch as the saga row and the outbox rows (the order a saga finishes always exists; a missing row
    /// fails the save).</summary>
    void UpdateOrder(OrderEntity changes, params string[] properties)
    {
        var entry = db.Orders.Attach(changes);
        foreach (var property in properties)
            entry.Property(property).IsModified = true;
    }

    ValueTask<List<OrderLine>> LinesAsync(Guid orderId, CancellationToken cancellationToken) =>
        Lines(db, orderId).ToListAsync(cancellationToken);

    static readonly Func<OrderDbContext, Guid, IAsyncEnumerable<OrderLine>> Lines = EF.CompileAsyncQuery((OrderDbContext db, Guid orderId) =>
        db.OrderLines.AsNoTracking().Where(l => l.OrderId == orderId).OrderBy(l => l.LineNumber)
            .Select(l => new OrderLine(l.ProductId, l.Quantity, l.UnitPrice, l.Amount)));
}
