using ECommerce.ServiceDefaults.Messaging;

namespace ECommerce.AppHost.Suite;

/// <summary>Configuration section <c>AppHost</c> (eng/run.sh turns its flags into these keys) plus the <c>Messaging</c>
/// section the topology is provisioned with and the services are given.</summary>
public sealed class SuiteSettings
{
    public const string SectionName = "AppHost";

    /// <summary>Run PostgreSQL with one database per service instead of SQLite files (<c>--postgres</c>).</summary>
    public bool UsePostgres { get; set; }

    /// <summary>Kafka nodes: 1, or 3 for a KRaft cluster whose partitions have three replicas, two in sync
    /// (<c>--kafka-cluster</c>).</summary>
    public int KafkaNodes { get; set; } = 1;

    /// <summary>Instances of each service (<c>--replicas</c>): each one a member of its service's consumer group, the
    /// partitions spread over them.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>Where the services' SQLite files and the servers' data live; <c>.apphost/data</c> under the repository when
    /// unset (<c>--data-dir</c>). What is there survives a restart of the suite, as a server's disk would.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The services listen on this plus 1 to 4; every other port of the suite moves with it (<c>--port-base</c>).</summary>
    public int PortBase { get; set; } = SuitePorts.DefaultBase;

    /// <summary>Whether the services export telemetry to the dashboard. Off where no dashboard runs (a test that starts the
    /// AppHost without one): an exporter retrying an endpoint nobody listens on holds every stopping service for seconds.</summary>
    public bool ExportTelemetry { get; set; } = true;

    public MessagingOptions Messaging { get; set; } = new();

    public int PortOf(int offset) => PortBase + offset;

    /// <summary>The dashboard's ports move with <see cref="PortBase"/> (18888 by default).</summary>
    public int DashboardPort => SuitePorts.DefaultDashboard + (PortBase - SuitePorts.DefaultBase);

    public string ResolveDataDirectory()
    {
        if (!string.IsNullOrWhiteSpace(DataDirectory))
            return Path.GetFullPath(DataDirectory);
        // The AppHost runs from AppHost/bin/<configuration>/<tfm>/; the repository is four levels up.
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        return File.Exists(Path.Combine(repository, "ECommerce.sln"))
            ? Path.Combine(repository, ".apphost", "data")
            : Path.Combine(Path.GetTempPath(), "ecommerce-apphost", "data");
    }
}
