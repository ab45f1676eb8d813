extern alias order;

using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using OrderDbContext = order::ECommerce.Order.Data.OrderDbContext;
using OrderState = order::ECommerce.Order.Sagas.OrderState;

namespace ECommerce.Component.Tests.Order;

/// <summary>The EF Core saga repository under MassTransit's own abstractions: a stale update loses, and the load repository
/// reads what the saga stored.</summary>
public sealed class SagaRepositoryTests
{
    [Fact]
    public async Task AnUpdateFromAStaleVersionIsRefused()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var orderId = Guid.NewGuid();
        await host.InScopeAsync(async db =>
        {
            db.OrderSagas.Add(new OrderState { CorrelationId = orderId, CurrentState = "AwaitingPayment", UserId = 1, TotalAmount = 5m });
            return await db.SaveChangesAsync();
        });

        await using var first = host.Services.CreateAsyncScope();
        await using var second = host.Services.CreateAsyncScope();
        var a = first.ServiceProvider.GetRequiredService<OrderDbContext>();
        var b = second.ServiceProvider.GetRequiredService<OrderDbContext>();
        var sagaA = await a.OrderSagas.SingleAsync(s => s.CorrelationId == orderId);
        var sagaB = await b.OrderSagas.SingleAsync(s => s.CorrelationId == orderId);

        sagaA.CurrentState = "Completed";
        sagaA.Version++;
        await a.SaveChangesAsync();
        sagaB.CurrentState = "Failed";
        sagaB.Version++;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => b.SaveChangesAsync());

        var stored = await host.SagaAsync(orderId);
        Assert.Equal(("Completed", 1), (stored!.CurrentState, stored.Version));
    }

    [Fact]
    public async Task TheLoadRepositoryReadsTheSagaTheStateMachineStored()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var product = await host.CreateProductAsync(stock: 3, price: 2m);
        var orderId = await host.PlaceOrderAsync(5, null, (product, 1));
        await host.SagaInStateAsync(orderId, "AwaitingPayment");

        var repository = host.Services.GetRequiredService<ILoadSagaRepository<OrderState>>();
        var saga = await repository.Load(orderId);
        Assert.Equal(("AwaitingPayment", 5L, 2m, true), (saga.CurrentState, saga.UserId, saga.TotalAmount, saga.StockReserved));
        Assert.NotNull(saga.TimeoutAt);
        Assert.Null(await repository.Load(Guid.NewGuid()));

        var query = host.Services.GetRequiredService<IQuerySagaRepository<OrderState>>();
        var found = await query.Find(new SagaQuery<OrderState>(s => s.UserId == 5));
        Assert.Equal([orderId], found);
    }
}
