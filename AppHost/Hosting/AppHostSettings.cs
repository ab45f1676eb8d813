namespace ECommerce.AppHost.Hosting;

/// <summary>Configuration section <c>AppHost</c>; the command line fills it (see <see cref="AppHostCommandLine"/>).</summary>
public sealed class AppHostSettings
{
    public const string SectionName = "AppHost";

    /// <summary>Run a PostgreSQL cluster with one database per service instead of SQLite files.</summary>
    public bool UsePostgres { get; set; }

    /// <summary>RabbitMQ nodes to run: 1 (a single node, classic queues) or more, a cluster whose partition, error and delay
    /// queues are quorum queues replicated on every node (<c>--rabbitmq-cluster</c> makes it 3).</summary>
    public int RabbitMqNodes { get; set; } = 1;

    /// <summary>Where the services keep their SQLite files; <c>.apphost/data</c> under the repository when null.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Added to every fixed port (services 5101-5104, dashboard 18888), so that a second suite (a test run) does
    /// not collide with one already running.</summary>
    public int PortOffset { get; set; }

    /// <summary>How long a resource may take from start to healthy.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How often running resources are health-checked.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    public int DashboardPort => ECommerceSuite.DefaultDashboardPort + PortOffset;

    public int PortOf(string service) => ECommerceSuite.DefaultPortOf(service) + PortOffset;

    public string ResolveDataDirectory()
    {
        if (!string.IsNullOrWhiteSpace(DataDirectory))
        {
            return Path.GetFullPath(DataDirectory);
        }

        var repositoryRoot = typeof(AppHostSettings).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return repositoryRoot is not null && Directory.Exists(repositoryRoot)
            ? Path.Combine(repositoryRoot, ".apphost", "data")
            : Path.Combine(Path.GetTempPath(), "ecommerce-apphost", "data");
    }
}
