namespace ECommerce.DataPlatform;

/// <summary>Configuration section <c>DataPlatform</c>.</summary>
public sealed class DataPlatformOptions
{
    public const string SectionName = "DataPlatform";

    /// <summary>Most records applied in one database transaction. Twice as many are read ahead while a batch is applied.
    /// 4,000 rather than 1,000 ingests a backlog faster (alternating runs from 150,000 events: SQLite 14,043 → 16,645
    /// events/s, PostgreSQL 20,420 → 22,096) for about 80 MiB more memory. It was held back while the integration test hung
    /// with it now and then; that hang was the test producer's records acknowledged and never written (see KafkaDelivery),
    /// and the test passed 10 of 10 runs with 4,000 once those were produced again.</summary>
    public int BatchSize { get; set; } = 4000;

    /// <summary>How long the ingest lease lasts: one instance reads the log at a time; another takes over this long after it
    /// died.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When the live reader has delivered nothing for this long, the ingest asks the brokers whether the log holds
    /// records past what it applied; if it does, the reader is stuck (its client stopped fetching), and the ingest logs what the
    /// client was doing and reopens it from the stored offsets. Idle, this costs two offset queries per period.</summary>
    public TimeSpan ReaderStallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A replay that receives nothing from the log for this long, before reaching the offsets it must reach, fails.</summary>
    public TimeSpan ReplayIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
