namespace ECommerce.AppHost.Telemetry;

/// <summary>The receiver's counts: export requests accepted and refused per signal, items kept and dropped, and the limits.</summary>
internal sealed record ReceiverView(IReadOnlyDictionary<string, SignalCounts> Requests, int Spans, long SpansDropped, int Logs, long LogsDropped,
    TelemetryLimits Limits);
