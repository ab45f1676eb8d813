using System.Globalization;

namespace ECommerce.AppHost.Resources;

/// <summary>A PostgreSQL server of the suite's own: its data directory in the suite's data directory, its port on 127.0.0.1,
/// trusting local connections as <c>postgres</c>. Run in the foreground (not daemonised by pg_ctl), so the orchestrator
/// shows its output and stops it.</summary>
public sealed class PostgresServerResource(string name, string command, string directory, string binDirectory, int port)
    : ExecutableResource(name, command, directory), IResourceWithConnectionString
{
    public string Directory { get; } = directory;

    public string DataDirectory => Path.Combine(Directory, "data");

    public string BinDirectory { get; } = binDirectory;

    public int Port { get; } = port;

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ConnectionString}");

    internal List<PostgresDatabaseResource> Databases { get; } = [];
}
