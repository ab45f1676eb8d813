using System.Globalization;
using ECommerce.AppHost.Hosting.Model;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;

namespace ECommerce.AppHost.Hosting;

/// <summary>What the suite is made of and how it is wired: the broker, optionally PostgreSQL, and the four services with
/// their ports and environment. The equivalent of an Aspire AppHost's Program.cs.</summary>
public static class ECommerceSuite
{
    public const int DefaultDashboardPort = 18888;

    /// <summary>The services listen on this plus 1, 2, 3, 4 (see <see cref="DefaultPortOf"/>).</summary>
    public const int DefaultPortBase = 5100;

    /// <summary>The resource name of the broker, which is also the name of its connection string.</summary>
    public const string MessagingResourceName = "messaging";

    public const string PostgresResourceName = "postgres";

    /// <summary>The services, in start-table order. Each name is the resource name, the OTEL service name and the name of
    /// the service's database connection string.</summary>
    public static IReadOnlyList<string> ServiceNames { get; } = ["order", "coupon", "balance", "data-platform"];

    public static int DefaultPortOf(string service) => service switch
    {
        "order" => DefaultPortBase + 1,
        "coupon" => DefaultPortBase + 2,
        "balance" => DefaultPortBase + 3,
        "data-platform" => DefaultPortBase + 4,
        _ => throw new ArgumentException($"'{service}' is not a service of the suite.", nameof(service)),
    };

    /// <param name="externalBroker">A broker to use instead of starting one (<c>ConnectionStrings:messaging</c>).</param>
    /// <param name="messagingOptions">The topology to provision (partitions per topic, delay tiers).</param>
    public static AppModel CreateModel(AppHostSettings settings, Uri? externalBroker, MessagingOptions messagingOptions)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(messagingOptions);
        var model = new AppModel();
        var messaging = externalBroker is null
            ? model.AddRabbitMq(MessagingResourceName, settings.RabbitMqNodes)
            : model.AddExternalRabbitMq(MessagingResourceName, externalBroker);
        messaging.OnReady((uri, cancellationToken) => TopologyProvisioner.ProvisionAsync(uri, messagingOptions, cancellationToken));

        var databases = new Dictionary<string, PostgresDatabaseResource>(StringComparer.Ordinal);
        if (settings.UsePostgres)
        {
            var postgres = model.AddPostgres(PostgresResourceName);
            foreach (var service in ServiceNames)
            {
                databases[service] = model.AddDatabase(postgres, service + "-db", service);
            }
        }

        var dataDirectory = settings.ResolveDataDirectory();
        var otlpEndpoint = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{settings.DashboardPort}");
        foreach (var service in ServiceNames)
        {
            var project = model.AddProject(service, ServiceProject.Get(service), settings.PortOf(service))
                .WithHttpHealthCheck("/health")
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
                .WithEnvironment("Messaging__Transport", nameof(MessagingTransport.RabbitMq))
                .WithEnvironment("Messaging__InstanceOrdinal", "0")
                .WithEnvironment("Messaging__InstanceCount", "1")
                .WithEnvironment("Messaging__ManagementUri", () => messaging.Node?.ManagementUri.ToString())
                .WithEnvironment("Messaging__DefaultPartitions", messagingOptions.DefaultPartitions.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Messaging__QueueType", messagingOptions.QueueType)
                .WithEnvironment("Persistence__DataDirectory", dataDirectory)
                .WithEnvironment("OTEL_SERVICE_NAME", service)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                // The SDK's defaults (spans every 5 s, metrics every 60 s) suit a collector, not a dashboard watched live.
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "1000")
                .WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", "1000")
                .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "5000")
                .WithReference(messaging)
                .WaitFor(messaging);
            // The services must see the partition counts the topology was provisioned with.
            foreach (var (topic, partitions) in messagingOptions.TopicPartitions)
            {
                project.WithEnvironment($"Messaging__TopicPartitions__{topic}", partitions.ToString(CultureInfo.InvariantCulture));
            }

            if (databases.TryGetValue(service, out var database))
            {
                project.WithReference(database).WaitFor(database);
            }
            else
            {
                // Without PostgreSQL the service falls back to SQLite; a connection string inherited from the AppHost's
                // own environment must not change that.
                project.WithEnvironment("ConnectionStrings__" + service, (string?)null);
            }
        }

        return model;
    }
}
