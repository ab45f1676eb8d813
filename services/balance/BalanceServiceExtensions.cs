using ECommerce.Balance.Charges;
using ECommerce.Balance.Data;
using ECommerce.Balance.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;

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
        builder.AddMessaging(Name, x => x.AddRider(rider =>
        {
            rider.AddConsumer<DeductBalanceConsumer, DeductBalanceConsumerDefinition>();
            rider.AddConsumer<RefundBalanceConsumer, RefundBalanceConsumerDefinition>();
            rider.UsingKafka((context, k) => k.TopicEndpoint(Topics.BalanceCommands, Name, e =>
            {
                e.ConfigureConsumer<DeductBalanceConsumer>(context);
                e.ConfigureConsumer<RefundBalanceConsumer>(context);
            }));
        }));
        return builder;
    }

    public static WebApplication UseBalanceService(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.MapBalanceEndpoints();
        return app;
    }
}
