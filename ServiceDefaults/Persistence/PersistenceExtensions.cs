using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ECommerce.ServiceDefaults.Persistence;

public static class PersistenceExtensions
{
    /// <summary>Registers the service's DbContext on PostgreSQL or SQLite (see <see cref="DatabaseConnection.Resolve"/>), the
    /// schema synchronization that runs before anything else starts, and a readiness check of the database.
    /// <paramref name="sqliteCacheMiB"/>: each SQLite connection's page cache, when SQLite's 2 MB is too small for the
    /// service's transactions; <c>Persistence:SqliteCacheMiB</c> overrides it.</summary>
    public static IHostApplicationBuilder AddPersistence<TDbContext>(this IHostApplicationBuilder builder, string serviceName, int? sqliteCacheMiB = null)
        where TDbContext : MessagingDbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connection = DatabaseConnection.Resolve(builder.Configuration, serviceName);
        sqliteCacheMiB = builder.Configuration.GetValue<int?>($"{PersistenceOptions.SectionName}:{nameof(PersistenceOptions.SqliteCacheMiB)}")
            ?? sqliteCacheMiB;
        if (sqliteCacheMiB is < 1)
            throw new InvalidOperationException($"{PersistenceOptions.SectionName}:{nameof(PersistenceOptions.SqliteCacheMiB)} must be at least 1 (MiB), not {sqliteCacheMiB}.");
        builder.Services.AddSingleton(connection);
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.TryAddSingleton<OutboxSignalInterceptor>();

        // Pooled: the options are built once, not per scope (building them per DbContext cost every request and every consumed
        // message the lookup of EF's internal service provider, a tenth of the coupon service's CPU under load), and a context
        // is reset and reused rather than created with its dozens of internal services (a sixth of the order service's CPU
        // per order). One set of options also makes the SQLite write gate one per database, as it must be.
        builder.Services.AddDbContextPool<TDbContext>((sp, options) =>
        {
            if (connection.Provider == DatabaseProvider.PostgreSql)
                options.UseNpgsql(connection.ConnectionString, npgsql => npgsql.ConfigureDataSource(source => source.ConfigureTracing(tracing => tracing
                    .ConfigureCommandFilter(_ => SqliteCommandTracing.InsideOperation)
                    .ConfigureBatchFilter(_ => SqliteCommandTracing.InsideOperation))));
            else
                // A collection in a query (ids.Contains(x.Id)) as one JSON parameter rather than EF Core 10's default of a
                // parameter per element: Microsoft.Data.Sqlite binds each parameter by looking its name up among all of the
                // statement's, so an IN list of n parameters costs n²/2 name comparisons — the relay deletes 500 rows at a time
                // and a coupon decides up to 2,000 requests, whose users it looks up at once.
                options.UseSqlite(connection.ConnectionString, sqlite => sqlite.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
                    .AddInterceptors(new SqlitePragmaInterceptor(sqliteCacheMiB), new SqliteCommandTracing(), new SqliteWriteGate());
            options.AddInterceptors(sp.GetRequiredService<OutboxSignalInterceptor>());
        });
        builder.Services.AddScoped<MessagingDbContext>(sp => sp.GetRequiredService<TDbContext>());

        // Must precede the bus and the relay, which both need the tables.
        builder.Services.AddHostedService<SchemaInitializer<TDbContext>>();
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>("database", HealthStatus.Unhealthy, [HealthTags.Ready]);
        return builder;
    }
}
