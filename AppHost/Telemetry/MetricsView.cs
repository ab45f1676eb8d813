namespace ECommerce.AppHost.Telemetry;

internal sealed record MetricsView(IReadOnlyList<ServiceMetricsView> Services);
