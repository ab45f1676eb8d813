using System.Security.Cryptography;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Testing.Records;
using MassTransit;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>Plays the balance and coupon services for the order saga: answers each command with the event its owner would
/// publish, on the same topic and partition key, produced as the services' relays produce (<see cref="ContractProducer"/>).
/// An answer's message id is derived from the order and the answer, so answering a command handled again (after a rebalance,
/// or when its offset was not yet committed as the broker died) is a copy the saga's inbox recognises. Also counts the
/// order-completed events. An answer is acknowledged by the broker before the command's offset is committed: while the broker
/// is away the answer waits, and the command is not taken as handled.</summary>
public sealed class CommandDoubleConsumer(DoubleLedger ledger, ContractProducer producer) :
    IConsumer<DeductBalance>, IConsumer<RefundBalance>, IConsumer<UseCoupon>, IConsumer<RestoreCoupon>, IConsumer<OrderCompleted>
{
    public Task Consume(ConsumeContext<DeductBalance> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        var now = DateTimeOffset.UtcNow;
        return ledger.Deduct(m.OrderId, m.UserId, m.Amount)
            ? AnswerAsync(m.OrderId, new BalanceDeducted(m.OrderId, m.UserId, m.Amount, ledger.BalanceOf(m.UserId), 0, now))
            : AnswerAsync(m.OrderId, new BalanceDeductionRejected(m.OrderId, m.UserId, m.Amount, ledger.BalanceOf(m.UserId), "InsufficientBalance", now));
    }

    public Task Consume(ConsumeContext<RefundBalance> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ledger.Refund(context.Message.OrderId, context.Message.UserId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<UseCoupon> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        var now = DateTimeOffset.UtcNow;
        return ledger.Use(m.OrderId, m.UserId, m.UserCouponId) is { } discount
            ? AnswerAsync(m.OrderId, new CouponUsed(m.OrderId, m.UserCouponId, DoubleLedger.CouponId, m.UserId, discount, now))
            : AnswerAsync(m.OrderId, new CouponUseRejected(m.OrderId, m.UserCouponId, DoubleLedger.CouponId, m.UserId, "NotAvailable", now));
    }

    public Task Consume(ConsumeContext<RestoreCoupon> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ledger.Restore(context.Message.OrderId, context.Message.UserCouponId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<OrderCompleted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ledger.CompletedEvents.AddOrUpdate(context.Message.OrderId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    Task AnswerAsync<T>(Guid orderId, T answer) where T : class =>
        producer.ProduceAsync(answer, new Guid(MD5.HashData([.. orderId.ToByteArray(), .. System.Text.Encoding.UTF8.GetBytes(typeof(T).Name)])));
}
