extern alias order;

using System.Collections.Concurrent;
using ECommerce.Contracts.Balances;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using OrderDbContext = order::ECommerce.Order.Data.OrderDbContext;
using OrderLine = ECommerce.Contracts.Orders.OrderLine;
using StockLedger = order::ECommerce.Order.Products.StockLedger;

namespace ECommerce.Component.Tests.Order;

/// <summary>Two orders can never both take the last unit: reservations racing in their own transactions, and whole orders
/// racing through HTTP and the saga.</summary>
public sealed class OversellTests
{
    [Fact]
    public async Task ConcurrentReservationsNeverTakeMoreThanTheStock()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 7);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrderDbContext>();
            var ledger = scope.ServiceProvider.GetRequiredService<StockLedger>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var reserved = await ledger.TryReserveAsync(Guid.NewGuid(), [new OrderLine(product, 1 + (i % 2), 10m, 10m)], CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return reserved ? 1 + (i % 2) : 0;
        }));

        var stock = await host.StockAsync(product);
        Assert.True(stock >= 0, $"stock went negative: {stock}");
        Assert.Equal(7 - outcomes.Sum(), stock);
        // Quantities 1 and 2 alternate: whatever the interleaving, the last unit can only go to a 1-unit order.
        Assert.True(stock <= 1, $"stock {stock} left although smaller orders wanted it");
    }

    [Fact]
    public async Task ManyConcurrentOrdersOnTheLastUnitsCompleteExactlyAsManyAsThereIsStock()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var scarce = await host.CreateProductAsync(stock: 5, price: 3m);
        var plenty = await host.CreateProductAsync(stock: 1_000, price: 1m);
        using var payer = new CancellationTokenSource();
        var paying = PayEveryDeductionAsync(host, payer.Token);

        var orders = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => host.PlaceOrderAsync(100 + i, null, (plenty, 2), (scarce, 1))));
        var outcomes = await Task.WhenAll(orders.Select(host.TerminalOrderAsync));
        await payer.CancelAsync();
        await paying;

        var completed = outcomes.Count(o => o.GetProperty("status").GetString() == "Completed");
        Assert.Equal(5, completed);
        Assert.All(outcomes.Where(o => o.GetProperty("status").GetString() == "Failed"),
            o => Assert.Equal("OutOfStock", o.GetProperty("failureReason").GetString()));
        Assert.Equal(0, await host.StockAsync(scarce));
        Assert.Equal(1_000 - (2 * completed), await host.StockAsync(plenty));
    }

    /// <summary>Plays the balance service: every deduction the saga asks for succeeds.</summary>
    static async Task PayEveryDeductionAsync(OrderServiceHost host, CancellationToken cancellationToken)
    {
        var answered = new ConcurrentDictionary<Guid, bool>();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var deduct in await host.OutboxAsync<DeductBalance>())
            {
                if (answered.TryAdd(deduct.OrderId, true))
                    await host.DeliverAsync(SagaAnswers.Deducted(deduct.OrderId, deduct.UserId, deduct.Amount));
            }

            try
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
