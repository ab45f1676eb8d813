namespace ECommerce.AppHost.Telemetry;

/// <summary>One span as the traces API shows it; <see cref="StartOffsetMs"/> is filled relative to its trace's start.</summary>
internal sealed record SpanView(
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Service,
    string Kind,
    DateTimeOffset StartTime,
    double StartOffsetMs,
    double DurationMs,
    string Status,
    string? StatusMessage,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<SpanEventView> Events)
{
    /// <summary>For ordering and offsets: the start in unix nanoseconds.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ulong StartNanos { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string TraceId { get; init; } = string.Empty;
}
