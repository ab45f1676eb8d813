namespace ECommerce.AppHost.Telemetry;

/// <summary>A row of the traces list.</summary>
internal sealed record TraceSummary(string TraceId, string RootName, string RootService, IReadOnlyList<string> Services,
    DateTimeOffset StartTime, double DurationMs, int SpanCount, int ErrorCount);
