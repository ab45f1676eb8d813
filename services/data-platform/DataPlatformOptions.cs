namespace ECommerce.DataPlatform;

/// <summary>Configuration section <c>DataPlatform</c>.</summary>
public sealed class DataPlatformOptions
{
    public const string SectionName = "DataPlatform";

    /// <summary>Most records applied in one database transaction. Twice as many are read ahead while a batch is applied.
    /// 4,000 ingested a backlog faster (PostgreSQL 19,159 → 23,371 events/s, SQLite 15,568 → 17,247, from 150,000 events) but
    /// the data platform's PostgreSQL integration test then hung in 2 of 6 runs after an instance was killed and the lease
    /// changed hands (nothing ingested, nothing logged); it did not recur in 15 later runs, but the cause is not found, so the
    /// batch stays at 1,000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long the ingest lease lasts: one instance reads the log at a time; another takes over this long after it
    /// died.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A replay that receives nothing from the log for this long, before reaching the offsets it must reach, fails.</summary>
    public TimeSpan ReplayIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
