using Microsoft.Extensions.Configuration;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>The provider and connection string a service's database resolves to.</summary>
public sealed record DatabaseConnection(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary><c>ConnectionStrings:{service}</c> decides: a PostgreSQL string (<c>Host=…</c>) selects PostgreSQL, a SQLite string
    /// (<c>Data Source=…</c>) selects that SQLite file, and none selects <c>{Persistence:DataDirectory}/{service}.db</c>.</summary>
    public static DatabaseConnection Resolve(IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration.GetConnectionString(serviceName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            var directory = configuration[$"{PersistenceOptions.SectionName}:{nameof(PersistenceOptions.DataDirectory)}"] ?? "data";
            Directory.CreateDirectory(directory);
            configured = $"Data Source={Path.GetFullPath(Path.Combine(directory, serviceName + ".db"))}";
        }

        var isSqlite = configured.Contains("Data Source", StringComparison.OrdinalIgnoreCase)
            || configured.Contains("DataSource", StringComparison.OrdinalIgnoreCase)
            || configured.Contains("Filename", StringComparison.OrdinalIgnoreCase);
        return isSqlite
            ? new DatabaseConnection(DatabaseProvider.Sqlite, WithSqliteDefaults(configured))
            : new DatabaseConnection(DatabaseProvider.PostgreSql, configured);
    }

    // A busy database is waited for (Default Timeout) rather than failed at once: SQLite has one writer at a time.
    static string WithSqliteDefaults(string connectionString) =>
        connectionString.Contains("Default Timeout", StringComparison.OrdinalIgnoreCase)
            ? connectionString
            : connectionString.TrimEnd(';') + ";Default Timeout=30;Pooling=True";
}
