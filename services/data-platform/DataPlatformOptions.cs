namespace ECommerce.DataPlatform;

/// <summary>Configuration section <c>DataPlatform</c>.</summary>
public sealed class DataPlatformOptions
{
    public const string SectionName = "DataPlatform";

    /// <summary>Age-based retention of the retained log (the streams' <c>x-max-age</c>: <c>7D</c>, <c>12h</c>, <c>30m</c>…).
    /// Applied when a stream is created; RabbitMQ keeps the arguments of an existing stream (change those with a policy).</summary>
    public string LogMaxAge { get; set; } = "7D";

    /// <summary>Most records applied in one database transaction.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Unacknowledged deliveries per stream consumer (streams refuse a consumer without a prefetch limit).</summary>
    public ushort Prefetch { get; set; } = 2000;

    /// <summary>How long the ingest lease lasts: one instance reads the log at a time; another takes over this long after it
    /// died.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A replay that receives nothing from a stream for this long, before reaching the offset it must reach, fails.</summary>
    public TimeSpan ReplayIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
