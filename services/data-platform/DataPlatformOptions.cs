namespace ECommerce.DataPlatform;

/// <summary>Configuration section <c>DataPlatform</c>.</summary>
public sealed class DataPlatformOptions
{
    public const string SectionName = "DataPlatform";

    /// <summary>Most records applied in one database transaction. Twice as many are read ahead while a batch is applied.
    /// Measured from a backlog of 150,000 events: 1,000 gave 15,568 (SQLite) and 19,159 (PostgreSQL) events/s, 4,000 gave
    /// 17,247 and 23,371 (a commit, the offsets' and projections' upserts are paid once per batch); 10,000 no more on SQLite.</summary>
    public int BatchSize { get; set; } = 4000;

    /// <summary>How long the ingest lease lasts: one instance reads the log at a time; another takes over this long after it
    /// died.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A replay that receives nothing from the log for this long, before reaching the offsets it must reach, fails.</summary>
    public TimeSpan ReplayIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
