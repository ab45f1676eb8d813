using ECommerce.Balance.Charges;
using ECommerce.Balance.Data;
using ECommerce.Balance.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;

namespace ECommerce.Balance;

public static class BalanceServiceExtensions
{
    public const string Name = "balance";

    public static WebApplicationBuilder AddBalanceService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Name, defaultPort: 5103);
        builder.AddPersistence<BalanceDbContext>(Name);
        builder.Services.AddSingleton<ChargeWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChargeWriter>());
        builder.AddMessaging(Name, m => m
            .Consume<DeductBalanceConsumer, DeductBalanceConsumerDefinition>(Topics.BalanceCommands)
            .Consume<RefundBalanceConsumer, RefundBalanceConsumerDefinition>(Topics.BalanceCommands));
        return builder;
    }

    public static WebApplication UseBalanceService(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.MapBalanceEndpoints();
        return app;
    }
}
