using ECommerce.AppHost.Resources;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;

namespace ECommerce.AppHost.Suite;

public static class ServiceResourceExtensions
{
    /// <summary>What every service of the suite gets: its built program started directly, its port on 127.0.0.1, a readiness
    /// check on <c>/health</c>, the messaging settings the topology was provisioned with, links to its OpenAPI document and
    /// operations API, and the dashboard commands for its dead letters.</summary>
    public static IResourceBuilder<ProjectResource> WithSuiteService(this IResourceBuilder<ProjectResource> service, SuiteSettings suite,
        int portOffset)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(suite);
        if (suite.Replicas > 1)
            service.WithReplicas(suite.Replicas);
        if (!suite.ExportTelemetry)
            service.WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", string.Empty);
        service
            .WithBuiltProgram()
            .WithHttpEndpoint(port: suite.PortOf(portOffset))
            .WithEndpoint("http", e => e.TargetHost = "127.0.0.1")
            .WithPatientHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithEnvironment("Messaging__Transport", nameof(MessagingTransport.Kafka))
            .WithOpsUrls()
            .WithDeadLetterCommands();
        // Every service sees the messaging settings the topology was provisioned with (partitions per topic above all), and
        // whatever else the AppHost was configured with under Messaging (retry intervals, say).
        foreach (var (key, value) in service.ApplicationBuilder.Configuration.GetSection(MessagingOptions.SectionName).AsEnumerable())
        {
            if (value is not null)
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
        }

        return service;
    }

    /// <summary>The service's database: one on <paramref name="postgres"/> named after the service, or, without PostgreSQL, a
    /// SQLite file in the suite's data directory.</summary>
    public static IResourceBuilder<ProjectResource> WithServiceDatabase(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<PostgresServerResource>? postgres, SuiteSettings suite)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(suite);
        var name = service.Resource.Name;
        if (postgres is null)
        {
            // A connection string inherited from the AppHost's own environment must not take the service off SQLite.
            return service
                .WithEnvironment("Persistence__DataDirectory", suite.ResolveDataDirectory())
                .WithEnvironment($"ConnectionStrings__{name}", (string?)null);
        }

        var database = postgres.AddDatabase($"{name}-db", name);
        return service.WithReference(database, connectionName: name).WaitFor(database);
    }

}
