namespace ECommerce.AppHost.Telemetry;

internal sealed record SignalCounts(long Accepted, long Rejected);
