namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Configuration section <c>Persistence</c>.</summary>
public sealed class PersistenceOptions
{
    public const string SectionName = "Persistence";

    /// <summary>Where SQLite files go when the service has no connection string: <c>{DataDirectory}/{service}.db</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Each SQLite connection's page cache in MiB; unset, the service's own choice (SQLite's 2 MB unless it asks for more).</summary>
    public int? SqliteCacheMiB { get; set; }
}
