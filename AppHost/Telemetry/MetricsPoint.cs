namespace ECommerce.AppHost.Telemetry;

/// <summary>A service's figures after one export, for the sparklines.</summary>
internal sealed record MetricsPoint(DateTimeOffset Time, double? RequestsPerSecond, double? RequestP95Ms, double? MessagesConsumedPerSecond,
    double? OutboxBacklog);
