namespace ECommerce.Testing.Infrastructure;

public sealed class PostgresClusterOptions
{
    /// <summary>Where initdb, postgres, pg_ctl and psql are; the newest /usr/lib/postgresql/&lt;version&gt;/bin when null.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Where the cluster's own directory is created; the system temp directory when null. Every account on the path
    /// must be able to traverse it, since the server runs as the postgres user when this process is root.</summary>
    public string? ParentDirectory { get; init; }

    /// <summary>Enough for several services with connection pools, each in several instances.</summary>
    public int MaxConnections { get; init; } = 300;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives every line the server writes to its console (its log).</summary>
    public Action<string>? OnOutput { get; init; }
}
