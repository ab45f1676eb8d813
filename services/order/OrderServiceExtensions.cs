using ECommerce.Order.Data;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;

namespace ECommerce.Order;

public static class OrderServiceExtensions
{
    public const string Name = "order";

    public static WebApplicationBuilder AddOrderService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Name, defaultPort: 5101);
        builder.AddPersistence<OrderDbContext>(Name);
        builder.AddMessaging(Name);
        return builder;
    }

    public static WebApplication UseOrderService(this WebApplication app)
    {
        app.UseServiceDefaults();
        return app;
    }
}
