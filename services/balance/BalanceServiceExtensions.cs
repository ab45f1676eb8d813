using ECommerce.Balance.Data;
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
        builder.AddMessaging(Name);
        return builder;
    }

    public static WebApplication UseBalanceService(this WebApplication app)
    {
        app.UseServiceDefaults();
        return app;
    }
}
