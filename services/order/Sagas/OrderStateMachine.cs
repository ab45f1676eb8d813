using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Order.Orders;
using MassTransit;

namespace ECommerce.Order.Sagas;

/// <summary>The order saga. Stock is reserved in this service's own database when the order is submitted; then the coupon is
/// used (if any) and the discounted amount is taken from the balance; then the order completes. Any refusal or the timeout
/// fails the order and compensates what took effect. Every event is declared in every state it can reach: an event that is
/// duplicated, late or out of order is ignored, or — when it reports a success the failed order no longer wants — undone.</summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Submitted, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => CouponAccepted, e => Answer(e, c => c.Message.OrderId));
        Event(() => CouponRefused, e => Answer(e, c => c.Message.OrderId));
        Event(() => PaymentTaken, e => Answer(e, c => c.Message.OrderId));
        Event(() => PaymentRefused, e => Answer(e, c => c.Message.OrderId));
        Event(() => TimedOut, e => Answer(e, c => c.Message.OrderId));

        Initially(
            When(Submitted)
                .ThenAsync(c => Steps(c).StartAsync(c.Saga, c.Message, c.CancellationToken))
                .IfElse(c => c.Saga.StockReserved,
                    reserved => reserved.IfElse(c => c.Saga.UserCouponId is not null,
                        withCoupon => withCoupon.Then(c => Steps(c).RequestCoupon(c.Saga)).TransitionTo(AwaitingCoupon),
                        withoutCoupon => withoutCoupon.Then(c => Steps(c).RequestPayment(c.Saga)).TransitionTo(AwaitingPayment)),
                    outOfStock => outOfStock.ThenAsync(c => Steps(c).FailAsync(c.Saga, OrderFailureReasons.OutOfStock, c.CancellationToken))
                        .TransitionTo(Failed)));

        During(AwaitingCoupon,
            When(CouponAccepted)
                .Then(c => OrderSagaSteps.ApplyCoupon(c.Saga, c.Message))
                .IfElse(c => OrderSagaSteps.AmountDue(c.Saga) > 0,
                    pay => pay.Then(c => Steps(c).RequestPayment(c.Saga)).TransitionTo(AwaitingPayment),
                    free => free.ThenAsync(c => Steps(c).CompleteAsync(c.Saga, 0m, c.CancellationToken)).TransitionTo(Completed)),
            When(CouponRefused)
                .ThenAsync(c => Steps(c).FailAsync(c.Saga, OrderFailureReasons.CouponRejected, c.CancellationToken))
                .TransitionTo(Failed),
            When(TimedOut)
                .ThenAsync(c => Steps(c).FailAsync(c.Saga, OrderFailureReasons.Timeout, c.CancellationToken))
                .TransitionTo(Failed),
            // No payment was requested yet: a balance answer for this order cannot be ours to act on.
            Ignore(Submitted), Ignore(PaymentTaken), Ignore(PaymentRefused));

        During(AwaitingPayment,
            When(PaymentTaken)
                .ThenAsync(c => Steps(c).CompleteAsync(c.Saga, c.Message.Amount, c.CancellationToken))
                .TransitionTo(Completed),
            When(PaymentRefused)
                .ThenAsync(c => Steps(c).FailAsync(c.Saga, OrderFailureReasons.PaymentRejected, c.CancellationToken))
                .TransitionTo(Failed),
            When(TimedOut)
                .ThenAsync(c => Steps(c).FailAsync(c.Saga, OrderFailureReasons.Timeout, c.CancellationToken))
                .TransitionTo(Failed),
            Ignore(Submitted), Ignore(CouponAccepted), Ignore(CouponRefused));

        During(Completed,
            Ignore(Submitted), Ignore(CouponAccepted), Ignore(CouponRefused), Ignore(PaymentTaken), Ignore(PaymentRefused), Ignore(TimedOut));

        During(Failed,
            When(CouponAccepted).Then(c => Steps(c).CompensateLateCoupon(c.Saga)),
            When(PaymentTaken).Then(c => Steps(c).CompensateLatePayment(c.Saga, c.Message)),
            Ignore(Submitted), Ignore(CouponRefused), Ignore(PaymentRefused), Ignore(TimedOut));
    }

    public State AwaitingCoupon { get; private set; } = null!;

    public State AwaitingPayment { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public Event<OrderSubmitted> Submitted { get; private set; } = null!;

    public Event<CouponUsed> CouponAccepted { get; private set; } = null!;

    public Event<CouponUseRejected> CouponRefused { get; private set; } = null!;

    public Event<BalanceDeducted> PaymentTaken { get; private set; } = null!;

    public Event<BalanceDeductionRejected> PaymentRefused { get; private set; } = null!;

    public Event<OrderTimeoutExpired> TimedOut { get; private set; } = null!;

    static OrderSagaSteps Steps(ConsumeContext context) => context.GetServiceOrCreateInstance<OrderSagaSteps>();

    /// <summary>An answer or a timeout only ever concerns an order whose saga exists; for any other order id (an answer to
    /// another service instance's test traffic, a message replayed after the saga table was reset) there is nothing to do.</summary>
    static void Answer<T>(IEventCorrelationConfigurator<OrderState, T> e, Func<ConsumeContext<T>, Guid> orderId)
        where T : class
    {
        e.CorrelateById(orderId);
        e.OnMissingInstance(m => m.Discard());
    }
}
