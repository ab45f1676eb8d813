namespace ECommerce.DataPlatform;

/// <summary>Configuration section <c>DataPlatform</c>.</summary>
public sealed class DataPlatformOptions
{
    public const string SectionName = "DataPlatform";

    /// <summary>Most records applied in one database transaction. Twice as many are read ahead while a batch is applied.
    /// 4,000 ingested a backlog faster (PostgreSQL 19,159 → 23,371 events/s, SQLite 15,568 → 17,247, from 150,000 events) but
    /// the data platform's integration test then hung in 2 of 6 runs. The same hang, seen later with 1,000, was traced to
    /// the test's producer, not the ingest: records the broker acknowledged without an offset were in no partition (see
    /// <c>KafkaDelivery</c>). The batch stays at 1,000 until 4,000 is measured again.</summary>
    public int BatchSize { get; set; } = 1000;

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
