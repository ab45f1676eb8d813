using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Events;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;

namespace ECommerce.DataPlatform;

public static class DataPlatformServiceExtensions
{
    public const string Name = "data-platform";

    public static WebApplicationBuilder AddDataPlatformService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Name, defaultPort: 5104);
        builder.AddPersistence<DataPlatformDbContext>(Name);
        builder.AddMessaging(Name, m => m.IngestDomainTopics());
        return builder;
    }

    public static WebApplication UseDataPlatformService(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.MapEventEndpoints();
        return app;
    }
}
