namespace ECommerce.AppHost.Telemetry;

/// <summary>A whole trace: its spans ordered by start, offsets from the trace's first span.</summary>
internal sealed record TraceView(string TraceId, DateTimeOffset StartTime, double DurationMs, IReadOnlyList<SpanView> Spans);
