using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using Xunit;
using static ECommerce.Component.Tests.Order.SagaAnswers;

namespace ECommerce.Component.Tests.Order;

/// <summary>Every transition of the order saga on the in-memory transport, with the balance and coupon services played by
/// the test: the happy paths, each refusal and the timeout with exactly their compensations, and events that arrive twice,
/// late or out of order.</summary>
public sealed class OrderSagaTests
{
    const long User = 42;

    [Fact]
    public async Task WithoutCouponStockIsReservedThenTheTotalIsDeductedAndTheOrderCompletes()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 10, price: 12.50m);
        var orderId = await host.PlaceOrderAsync(User, null, (product, 2));

        var deduct = Assert.Single(await host.OutboxAsync<DeductBalance>(d => d.OrderId == orderId, 1));
        Assert.Equal((User, 25m), (deduct.UserId, deduct.Amount));
        Assert.Equal("AwaitingPayment", (await host.SagaAsync(orderId))!.CurrentState);
        Assert.Equal(8, await host.StockAsync(product));
        var reserved = Assert.Single(await host.OutboxAsync<StockReserved>());
        Assert.Equal((orderId, product, 2, 8), (reserved.OrderId, reserved.ProductId, reserved.Quantity, reserved.StockAfter));
        Assert.Empty(await host.OutboxAsync<UseCoupon>());

        await host.DeliverAsync(Deducted(orderId, User, 25m));
        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal("Completed", order.GetProperty("status").GetString());
        Assert.Equal((25m, 0m, 25m), (order.GetProperty("totalAmount").GetDecimal(), order.GetProperty("discountAmount").GetDecimal(),
            order.GetProperty("paidAmount").GetDecimal()));
        var completed = Assert.Single(await host.OutboxAsync<OrderCompleted>());
        Assert.Equal((orderId, User, 25m, 0m, 25m), (completed.OrderId, completed.UserId, completed.TotalAmount, completed.DiscountAmount, completed.PaidAmount));
        Assert.Equal(new OrderLine(product, 2, 12.50m, 25m), Assert.Single(completed.Items));
        Assert.Equal(8, await host.StockAsync(product));
        Assert.Null((await host.SagaAsync(orderId))!.TimeoutAt);
    }

    [Fact]
    public async Task WithCouponTheCouponIsUsedFirstAndOnlyTheDiscountedAmountIsDeducted()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 5, price: 10m);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 3));

        var use = Assert.Single(await host.OutboxAsync<UseCoupon>(u => u.OrderId == orderId, 1));
        Assert.Equal((User, coupon), (use.UserId, use.UserCouponId));
        await host.SagaInStateAsync(orderId, "AwaitingCoupon");
        Assert.Empty(await host.OutboxAsync<DeductBalance>());

        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 7.5m));
        var deduct = Assert.Single(await host.OutboxAsync<DeductBalance>(d => d.OrderId == orderId, 1));
        Assert.Equal(22.5m, deduct.Amount);

        await host.DeliverAsync(Deducted(orderId, User, 22.5m));
        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal("Completed", order.GetProperty("status").GetString());
        Assert.Equal((30m, 7.5m, 22.5m), (order.GetProperty("totalAmount").GetDecimal(), order.GetProperty("discountAmount").GetDecimal(),
            order.GetProperty("paidAmount").GetDecimal()));
        var completed = Assert.Single(await host.OutboxAsync<OrderCompleted>());
        Assert.Equal((7.5m, 22.5m, (Guid?)coupon), (completed.DiscountAmount, completed.PaidAmount, completed.UserCouponId));
        Assert.Empty(await host.OutboxAsync<RestoreCoupon>());
    }

    [Fact]
    public async Task ACouponWorthTheWholeOrderCompletesItWithoutAPayment()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 5, price: 4m);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 1));
        await host.OutboxAsync<UseCoupon>(u => u.OrderId == orderId, 1);

        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 10m));
        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal(("Completed", 4m, 0m), (order.GetProperty("status").GetString(), order.GetProperty("discountAmount").GetDecimal(),
            order.GetProperty("paidAmount").GetDecimal()));
        Assert.Empty(await host.OutboxAsync<DeductBalance>());
    }

    [Fact]
    public async Task AShortLineFailsTheOrderAndReservesNoLineAtAll()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var plenty = await host.CreateProductAsync(stock: 10);
        var scarce = await host.CreateProductAsync(stock: 1);
        var orderId = await host.PlaceOrderAsync(User, Guid.NewGuid(), (plenty, 4), (scarce, 2));

        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal(("Failed", "OutOfStock"), (order.GetProperty("status").GetString(), order.GetProperty("failureReason").GetString()));
        Assert.Equal((10, 1), (await host.StockAsync(plenty), await host.StockAsync(scarce)));
        Assert.Empty(await host.OutboxAsync<StockReserved>());
        Assert.Empty(await host.OutboxAsync<StockReleased>());
        Assert.Empty(await host.OutboxAsync<UseCoupon>());
        Assert.Empty(await host.OutboxAsync<DeductBalance>());
    }

    [Fact]
    public async Task ARefusedPaymentReleasesTheStockAndRestoresTheUsedCoupon()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 5, price: 10m);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 2));
        await host.OutboxAsync<UseCoupon>(u => u.OrderId == orderId, 1);
        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 5m));
        await host.OutboxAsync<DeductBalance>(d => d.OrderId == orderId, 1);

        await host.DeliverAsync(DeductionRejected(orderId, User, 15m));
        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal(("Failed", "PaymentRejected"), (order.GetProperty("status").GetString(), order.GetProperty("failureReason").GetString()));
        Assert.Equal(5, await host.StockAsync(product));
        var released = Assert.Single(await host.OutboxAsync<StockReleased>());
        Assert.Equal((orderId, product, 2, 5), (released.OrderId, released.ProductId, released.Quantity, released.StockAfter));
        var restore = Assert.Single(await host.OutboxAsync<RestoreCoupon>());
        Assert.Equal((orderId, User, coupon), (restore.OrderId, restore.UserId, restore.UserCouponId));
        Assert.Empty(await host.OutboxAsync<RefundBalance>());
        Assert.Empty(await host.OutboxAsync<OrderCompleted>());
    }

    [Fact]
    public async Task ARefusedCouponReleasesTheStockAndAsksForNoPayment()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 5);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 5));
        await host.OutboxAsync<UseCoupon>(u => u.OrderId == orderId, 1);
        Assert.Equal(0, await host.StockAsync(product));

        await host.DeliverAsync(CouponRejected(orderId, User, coupon));
        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal(("Failed", "CouponRejected"), (order.GetProperty("status").GetString(), order.GetProperty("failureReason").GetString()));
        Assert.Equal(5, await host.StockAsync(product));
        Assert.Single(await host.OutboxAsync<StockReleased>());
        Assert.Empty(await host.OutboxAsync<DeductBalance>());
        Assert.Empty(await host.OutboxAsync<RestoreCoupon>());
    }

    [Fact]
    public async Task ATimeoutWhilePayingCompensatesAndALatePaymentIsRefundedOnce()
    {
        await using var host = await OrderServiceHost.StartAsync(timeout: TimeSpan.FromMilliseconds(500));
        var product = await host.CreateProductAsync(stock: 5, price: 10m);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 1));
        await host.OutboxAsync<UseCoupon>(u => u.OrderId == orderId, 1);
        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 2m));
        await host.OutboxAsync<DeductBalance>(d => d.OrderId == orderId, 1);

        // No answer from the balance service: the sweeper raises the timeout.
        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal(("Failed", "Timeout"), (order.GetProperty("status").GetString(), order.GetProperty("failureReason").GetString()));
        Assert.Single(await host.OutboxAsync<OrderTimeoutExpired>());
        Assert.Equal(5, await host.StockAsync(product));
        Assert.Single(await host.OutboxAsync<RestoreCoupon>());
        Assert.Empty(await host.OutboxAsync<RefundBalance>());

        // The deduction did happen, late: it is given back — once, however often its answer arrives.
        var late = Deducted(orderId, User, 8m);
        var lateId = await host.DeliverAsync(late);
        await host.DeliverAsync(late, lateId);
        await host.DeliverAsync(Deducted(orderId, User, 8m));
        var refund = Assert.Single(await host.OutboxAsync<RefundBalance>());
        Assert.Equal((orderId, User, 8m), (refund.OrderId, refund.UserId, refund.Amount));
        Assert.Equal("Failed", (await host.OrderAsync(orderId)).GetProperty("status").GetString());
        Assert.Empty(await host.OutboxAsync<OrderCompleted>());
        Assert.Single(await host.OutboxAsync<RestoreCoupon>());
        Assert.Single(await host.OutboxAsync<StockReleased>());
    }

    [Fact]
    public async Task ATimeoutWhileWaitingForTheCouponRestoresALateCouponAndNeverAsksForPayment()
    {
        await using var host = await OrderServiceHost.StartAsync(timeout: TimeSpan.FromMilliseconds(500));
        var product = await host.CreateProductAsync(stock: 5);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 2));

        var order = await host.TerminalOrderAsync(orderId);
        Assert.Equal("Timeout", order.GetProperty("failureReason").GetString());
        Assert.Equal(5, await host.StockAsync(product));
        Assert.Empty(await host.OutboxAsync<RestoreCoupon>());

        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 3m));
        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 3m));
        var restore = Assert.Single(await host.OutboxAsync<RestoreCoupon>());
        Assert.Equal((orderId, coupon), (restore.OrderId, restore.UserCouponId));
        Assert.Empty(await host.OutboxAsync<DeductBalance>());
        Assert.Single(await host.OutboxAsync<StockReleased>());
    }

    [Fact]
    public async Task ADuplicatedSubmissionReservesOnceAndAskForPaymentOnce()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 10, price: 3m);
        var orderId = await host.PlaceOrderAsync(User, null, (product, 4));
        var submitted = Assert.Single(await host.OutboxAsync<OrderSubmitted>());
        await host.OutboxAsync<DeductBalance>(d => d.OrderId == orderId, 1);

        // The relay re-publishing the same row (same id), and a second copy under a new id.
        var rowId = await host.InScopeAsync(db => Task.FromResult(OutboxHistory.Rows(db).Single(m => m.MessageType == typeof(OrderSubmitted).FullName).Id));
        await host.DeliverAsync(submitted, rowId);
        await host.DeliverAsync(submitted);

        Assert.Equal(6, await host.StockAsync(product));
        Assert.Single(await host.OutboxAsync<StockReserved>());
        Assert.Single(await host.OutboxAsync<DeductBalance>());
        Assert.Equal("AwaitingPayment", (await host.SagaAsync(orderId))!.CurrentState);
    }

    [Fact]
    public async Task AnswersAfterCompletionAndAnswersOutOfTurnChangeNothing()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 10, price: 5m);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(User, coupon, (product, 2));
        await host.SagaInStateAsync(orderId, "AwaitingCoupon");

        // A payment answer before any payment was asked for is not this order's to act on.
        await host.DeliverAsync(Deducted(orderId, User, 10m));
        await host.DeliverAsync(DeductionRejected(orderId, User, 10m));
        Assert.Equal("AwaitingCoupon", (await host.SagaAsync(orderId))!.CurrentState);
        Assert.Equal("Pending", (await host.OrderAsync(orderId)).GetProperty("status").GetString());

        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 1m));
        await host.SagaInStateAsync(orderId, "AwaitingPayment");
        // A second coupon answer while paying, and a refusal that contradicts the acceptance, are ignored.
        await host.DeliverAsync(CouponUsed(orderId, User, coupon, 1m));
        await host.DeliverAsync(CouponRejected(orderId, User, coupon));
        Assert.Single(await host.OutboxAsync<DeductBalance>());
        Assert.Equal("AwaitingPayment", (await host.SagaAsync(orderId))!.CurrentState);

        await host.DeliverAsync(Deducted(orderId, User, 9m));
        await host.SagaInStateAsync(orderId, "Completed");
        var version = (await host.SagaAsync(orderId))!.Version;

        // Everything after completion: duplicates, a contradicting refusal, a timeout.
        await host.DeliverAsync(Deducted(orderId, User, 9m));
        await host.DeliverAsync(DeductionRejected(orderId, User, 9m));
        await host.DeliverAsync(CouponRejected(orderId, User, coupon));
        await host.DeliverAsync(Timeout(orderId));
        var saga = (await host.SagaAsync(orderId))!;
        Assert.Equal(("Completed", 9m), (saga.CurrentState, saga.PaidAmount));
        Assert.True(saga.Version >= version);
        Assert.Single(await host.OutboxAsync<OrderCompleted>());
        Assert.Empty(await host.OutboxAsync<RefundBalance>());
        Assert.Empty(await host.OutboxAsync<RestoreCoupon>());
        Assert.Empty(await host.OutboxAsync<StockReleased>());
        Assert.Equal(8, await host.StockAsync(product));
    }

    [Fact]
    public async Task AnswersForAnOrderWithoutASagaAreDiscarded()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var unknown = Guid.NewGuid();
        await host.DeliverAsync(Deducted(unknown, User, 1m));
        await host.DeliverAsync(CouponUsed(unknown, User, Guid.NewGuid(), 1m));
        await host.DeliverAsync(Timeout(unknown));
        Assert.Null(await host.SagaAsync(unknown));
        Assert.Empty(await host.OutboxAsync<RefundBalance>());
        Assert.Empty(await host.OutboxAsync<RestoreCoupon>());
    }
}
