namespace ECommerce.AppHost.Telemetry;

/// <summary>A service's current figures (summed over its instances) and their recent history. Null: no data yet.</summary>
internal sealed record ServiceMetricsView(string Service, DateTimeOffset UpdatedAt, double? RequestsPerSecond, double? RequestErrorsPerSecond,
    double? RequestP50Ms, double? RequestP95Ms, double? MessagesConsumedPerSecond, double? OutboxBacklog, IReadOnlyList<MetricsPoint> History);
