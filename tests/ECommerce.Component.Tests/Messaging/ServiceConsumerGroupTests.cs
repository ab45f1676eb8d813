extern alias balance;
extern alias order;

using ECommerce.Contracts.Topology;
using ECommerce.Coupon;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using BalanceService = balance::ECommerce.Balance.BalanceServiceExtensions;
using OrderService = order::ECommerce.Order.OrderServiceExtensions;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>What <see cref="ConsumerGroups"/> lists for each service is exactly what the service consumes: a type missing there
/// would never reach the service (its start refuses that), a type listed but not consumed would be delivered to its queues
/// only to be discarded, the cost type routing exists to remove.</summary>
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

        var consumed = app.Services.GetRequiredService<GroupTopology>().ConsumedTypes;

        Assert.Equal(group, app.Services.GetRequiredService<GroupTopology>().Group);
        Assert.Equal(ConsumerGroups.All[group].Select(t => t.FullName).Order(StringComparer.Ordinal),
            consumed.Select(t => t.FullName).Order(StringComparer.Ordinal));
    }
}
