using ECommerce.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ECommerce.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    static readonly string[] Sources = ["Microsoft.AspNetCore", "System.Net.Http", "MassTransit", "Npgsql", MessagingDiagnostics.Name, SqliteCommandTracing.SourceName];
    static readonly string[] PropagatingSources = ["Microsoft.AspNetCore", "System.Net.Http", "MassTransit", MessagingDiagnostics.Name];
    static readonly string[] Meters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "MassTransit", MessagingDiagnostics.Name];

    /// <summary>Traces, metrics and logs over OTLP with the core SDK (the hosting and instrumentation packages are not available
    /// here). The exporter reads the standard <c>OTEL_EXPORTER_OTLP_*</c> variables. With no endpoint configured nothing is
    /// exported, and only what carries trace context on is recorded (HTTP, MassTransit and outbox relay activities, so a trace id
    /// still follows a request through messages): no database command spans and no metrics, which nobody would read and which
    /// cost every request and every message.</summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var export = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var name = builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName;
        var resource = ResourceBuilder.CreateDefault().AddService(name, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}");

        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(export ? Sources : PropagatingSources);
        MeterProviderBuilder? metrics = null;
        if (export)
        {
            tracing.AddOtlpExporter();
            metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Meters).AddOtlpExporter();
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(resource);
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
                o.AddOtlpExporter();
            });
        }

        // Owned by the container so they flush and stop with the host.
        builder.Services.AddSingleton(new TelemetryProviders(tracing.Build(), metrics?.Build()));
        return builder;
    }
}
