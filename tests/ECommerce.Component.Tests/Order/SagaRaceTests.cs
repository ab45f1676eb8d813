using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using Xunit;
using static ECommerce.Component.Tests.Order.SagaAnswers;

namespace ECommerce.Component.Tests.Order;

/// <summary>A saga message reads the saga and decides before its transaction begins (on SQLite, before the write lock), so two
/// messages of one order handled at the same moment both decide from the same state. One commits; the other's save finds the
/// saga's version moved (or, for two copies of a submission, its key taken), rolls back and runs again on the winner's state.</summary>
public sealed class SagaRaceTests
{
    const int Orders = 48;

    [Fact]
    public async Task A_payment_and_a_timeout_racing_for_each_order_leave_one_outcome_each_with_exactly_its_compensation()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: Orders, price: 2m);
        var orders = new List<Guid>();
        for (var i = 0; i < Orders; i++)
            orders.Add(await host.PlaceOrderAsync(100 + i, null, (product, 1)));
        await host.OutboxAsync<DeductBalance>(_ => true, Orders);

        await Task.WhenAll(orders.SelectMany((orderId, i) => new[]
        {
            host.DeliverAsync(Deducted(orderId, 100 + i, 2m)),
            host.DeliverAsync(Timeout(orderId)),
        }));

        var completed = 0;
        foreach (var orderId in orders)
        {
            var status = (await host.TerminalOrderAsync(orderId)).GetProperty("status").GetString();
            var saga = (await host.SagaAsync(orderId))!;
            var refunds = (await host.OutboxAsync<RefundBalance>()).Count(r => r.OrderId == orderId);
            var releases = (await host.OutboxAsync<StockReleased>()).Count(r => r.OrderId == orderId);
            var completions = (await host.OutboxAsync<OrderCompleted>()).Count(c => c.OrderId == orderId);
            if (status == "Completed")
            {
                completed++;
                Assert.Equal(("Completed", 2m, 0, 0, 1), (saga.CurrentState, saga.PaidAmount, refunds, releases, completions));
            }
            else
            {
                // The timeout won: the order failed, its stock came back, and the payment that lost the race is refunded once.
                Assert.Equal(("Failed", "Failed", "Timeout"), (status, saga.CurrentState, saga.FailureReason));
                Assert.Equal((1, 1, 0), (refunds, releases, completions));
            }
        }

        Assert.Equal(Orders - completed, await host.StockAsync(product));
    }

    [Fact]
    public async Task Two_copies_of_a_submission_handled_at_once_reserve_once()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 10, price: 3m);
        var submitted = new OrderSubmitted(Guid.NewGuid(), 7, [new OrderLine(product, 3, 3m, 9m)], null, 9m, DateTimeOffset.UtcNow);

        await Task.WhenAll(host.DeliverAsync(submitted), host.DeliverAsync(submitted), host.DeliverAsync(submitted));

        Assert.Equal(7, await host.StockAsync(product));
        Assert.Single(await host.OutboxAsync<StockReserved>());
        Assert.Single(await host.OutboxAsync<DeductBalance>());
        Assert.Equal("AwaitingPayment", (await host.SagaAsync(submitted.OrderId))!.CurrentState);
    }
}
