namespace ECommerce.DataPlatform;

/// <summary>Configuration section <c>DataPlatform</c>.</summary>
public sealed class DataPlatformOptions
{
    public const string SectionName = "DataPlatform";

    /// <summary>Most records applied in one database transaction. Twice as many are read ahead while a batch is applied.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long the ingest lease lasts: one instance reads the log at a time; another takes over this long after it
    /// died.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A replay that receives nothing from the log for this long, before reaching the offsets it must reach, fails.</summary>
    public TimeSpan ReplayIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
