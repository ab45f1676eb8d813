using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Events;
using ECommerce.DataPlatform.Log;
using ECommerce.DataPlatform.Projections;
using ECommerce.DataPlatform.Replay;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Ops;
using ECommerce.ServiceDefaults.Persistence;
using ECommerce.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ECommerce.DataPlatform;

public static class DataPlatformServiceExtensions
{
    public const string Name = "data-platform";

    /// <summary>The data platform reads the domain topics on Kafka itself, every partition assigned rather than as a consumer
    /// group: the topics are the log it keeps and replays, and keeping its own positions lets it store them with its effects.
    /// Its messaging registration has no consumers (it still has the outbox tables, dead letters and the operations API). On
    /// the in-memory transport (component tests) there is no log to read; ingest is driven through <see cref="LogIngestor"/>.</summary>
    public static WebApplicationBuilder AddDataPlatformService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults(Name, defaultPort: 5104);
        builder.AddExportedTracing(IngestTracing.SourceName);
        // A batch of the ingest inserts thousands of rows into the message-id index at random places, dirtying more pages than
        // SQLite's default cache holds.
        builder.AddPersistence<DataPlatformDbContext>(Name, sqliteCacheMiB: 64);
        builder.AddMessaging(Name);

        var options = new DataPlatformOptions();
        builder.Configuration.GetSection(DataPlatformOptions.SectionName).Bind(options);
        var messaging = MessagingOptions.From(builder.Configuration.GetSection(MessagingOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<LogIngestor>();
        builder.Services.AddSingleton<IngestLease>();
        if (messaging.Transport == MessagingTransport.Kafka)
        {
            var bootstrap = MessagingExtensions.BootstrapServers(builder.Configuration);
            builder.Services.AddSingleton(sp => new DomainLog(bootstrap, messaging, sp.GetRequiredService<ILogger<DomainLog>>()));
            builder.Services.AddSingleton<ProjectionRebuilder>();
            builder.Services.AddSingleton<ReplayRunner>();
            builder.Services.AddHostedService<LogIngestWorker>();
            // No consumer group of its own to report: its lag is the ingest's.
            builder.Services.Replace(ServiceDescriptor.Singleton<IConsumerLagReader, IngestLagReader>());
        }

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
