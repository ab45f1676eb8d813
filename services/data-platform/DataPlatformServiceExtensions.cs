using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Events;
using ECommerce.DataPlatform.Log;
using ECommerce.DataPlatform.Projections;
using ECommerce.DataPlatform.Replay;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;
using ECommerce.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ECommerce.DataPlatform;

public static class DataPlatformServiceExtensions
{
    public const string Name = "data-platform";

    /// <summary>The data platform reads the domain topics from the retained log (RabbitMQ streams), not through consumer-group
    /// queues: the streams are the log it keeps and replays, and reading them itself lets it store its offsets with its
    /// effects. On the in-memory transport (component tests) there is no log to read; ingest is driven through
    /// <see cref="LogIngestor"/>.</summary>
    public static WebApplicationBuilder AddDataPlatformService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults(Name, defaultPort: 5104);
        builder.AddExportedTracing(IngestTracing.SourceName);
        builder.AddPersistence<DataPlatformDbContext>(Name);
        builder.AddMessaging(Name);

        var options = new DataPlatformOptions();
        builder.Configuration.GetSection(DataPlatformOptions.SectionName).Bind(options);
        var messaging = MessagingOptions.From(builder.Configuration.GetSection(MessagingOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new RetainedLog(messaging, sp.GetRequiredService<ILogger<RetainedLog>>()));
        builder.Services.AddSingleton<LogIngestor>();
        builder.Services.AddSingleton<IngestLease>();
        builder.Services.AddSingleton<ProjectionRebuilder>();
        if (messaging.Transport == MessagingTransport.RabbitMq)
            builder.Services.AddHostedService<LogIngestWorker>();
        return builder;
    }

    public static WebApplication UseDataPlatformService(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.MapEventEndpoints();
        app.MapStatsEndpoints();
        app.MapReplayEndpoints();
        return app;
    }
}
