using System.Security.Cryptography;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>Plays the balance and coupon services for the order saga (until they are merged and the four-service test replaces
/// this): answers each command with the event its owner would publish, on the same topic and partition key, through the
/// platform's publisher. An answer's message id is derived from the order and the answer, so answering a redelivered command
/// again is a duplicate the saga's inbox recognises. Also counts the order-completed events. Answers go out through the outbox
/// relay's publisher (its own connection, publisher confirms, no client-side recovery) as the real services' answers do, not
/// through MassTransit's send: after a broker crash a MassTransit send can hang on a dead channel (a RabbitMQ.Client 7 bug with
/// publisher confirms), which left the double mute and every order timing out.</summary>
public sealed class CommandDoubleConsumer(DoubleLedger ledger, PipelinedOutboxPublisher publisher) :
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

    async Task AnswerAsync<T>(Guid orderId, T answer) where T : class
    {
        var row = OutboxBatch.Row(answer, new Guid(MD5.HashData(orderId.ToByteArray().Concat(System.Text.Encoding.UTF8.GetBytes(typeof(T).Name)).ToArray())), DateTimeOffset.UtcNow);
        var (sent, failed) = await publisher.PublishAsync([row], CancellationToken.None).ConfigureAwait(false);
        if (sent.Count == 0)
            throw new InvalidOperationException($"The answer {typeof(T).Name} to order {orderId} was not confirmed by the broker.",
                failed.Count > 0 ? failed[0].Error : null);
    }
}
