namespace ECommerce.AppHost.Telemetry;

/// <summary>Configuration section <c>AppHost:Telemetry</c>: how much the dashboard keeps in memory. When a store is full the
/// oldest items go first, so the dashboard always shows the latest.</summary>
public sealed class TelemetryLimits
{
    public const string SectionName = "AppHost:Telemetry";

    public int MaxSpans { get; set; } = 50_000;

    public int MaxLogs { get; set; } = 50_000;

    /// <summary>Metric points kept per service (one per export, every few seconds).</summary>
    public int MetricHistory { get; set; } = 120;

    /// <summary>The largest export request accepted (after decompression); a larger one gets 413.</summary>
    public int MaxRequestBytes { get; set; } = 8 * 1024 * 1024;
}
