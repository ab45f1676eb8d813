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
            : new DatabaseConnection(DatabaseProvider.PostgreSql, WithPostgreSqlDefaults(configured));
    }

    // A busy database is waited for (Default Timeout) rather than failed at once: SQLite has one writer at a time.
    static string WithSqliteDefaults(string connectionString) =>
        connectionString.Contains("Default Timeout", StringComparison.OrdinalIgnoreCase)
            ? connectionString
            : connectionString.TrimEnd(';') + ";Default Timeout=30;Pooling=True";

    // Npgsql prepares a statement once it has run it a few times on a connection (unless the string says otherwise): the
    // relay, the consumers and the HTTP handlers repeat a handful of statements thousands of times a second, and parsing and
    // planning each one again was most of a coupon decision batch's SaveChanges (5 ms → 2 ms for ~20 requests; p99 at
    // 1,000 requests/s 56–79 ms → 34–54 ms).
    static string WithPostgreSqlDefaults(string connectionString)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey answers whether a keyword exists, not whether the string sets it.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
            return connectionString;
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 128 }.ConnectionString;
    }
}
