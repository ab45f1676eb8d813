extern alias balance;
extern alias order;

using ECommerce.Contracts.Topology;
using ECommerce.Coupon;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using BalanceService = balance::ECommerce.Balance.BalanceServiceExtensions;
using OrderService = order::ECommerce.Order.OrderServiceExtensions;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>What <see cref="ConsumerGroups"/> lists for each service is exactly what the service consumes: a type missing there
/// would be skipped by the service's group, a type listed but not consumed would be fetched only to be skipped. The rider
/// checks both when the bus is built, so each service building its bus is the proof.</summary>
public sealed class ServiceConsumerGroupTests
{
    public static TheoryData<string> Groups => ["coupon", "balance", "order"];

    [Theory]
    [MemberData(nameof(Groups))]
    public async Task A_service_consumes_exactly_the_types_its_group_lists(string group)
    {
        using var directory = new Infrastructure.TempDirectory();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration[$"ConnectionStrings:{group}"] = $"Data Source={directory.File(group + ".db")}";
        builder.Configuration["Messaging:Transport"] = "InMemory";
        _ = group switch
        {
            "coupon" => builder.AddCouponService(),
            "balance" => BalanceService.AddBalanceService(builder),
            _ => OrderService.AddOrderService(builder),
        };
        await using var app = builder.Build();

        var bus = app.Services.GetRequiredService<IBusControl>();

        Assert.NotNull(bus);
    }
}
