using System.Diagnostics;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>Samples the activities of MassTransit and the messaging platform, as a service's OpenTelemetry set-up does, so that
/// trace context is created and propagated while a test runs.</summary>
public sealed class TraceListener : IDisposable
{
    readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is "MassTransit" or ECommerce.ServiceDefaults.Messaging.MessagingDiagnostics.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public TraceListener() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();
}
