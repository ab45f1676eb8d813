using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ECommerce.ServiceDefaults.Telemetry;

/// <summary>Keeps the SDK providers alive for the host's lifetime and flushes them when it stops.</summary>
public sealed class TelemetryProviders(TracerProvider? tracer, MeterProvider? meter) : IDisposable
{
    public void Dispose()
    {
        tracer?.Dispose();
        meter?.Dispose();
    }
}
