namespace ECommerce.AppHost.Telemetry;

public enum OtlpSignal
{
    Traces,
    Logs,
    Metrics,
}
