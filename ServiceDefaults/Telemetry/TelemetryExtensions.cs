using ECommerce.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ECommerce.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>Spans that carry a request's trace on through the bus, recorded whether or not anything is exported.</summary>
    static readonly string[] PropagatingSources = ["MassTransit", MessagingDiagnostics.Name];

    /// <summary>Spans only worth their cost when someone reads them.</summary>
    static readonly string[] ExportedSources = ["Npgsql", SqliteCommandTracing.SourceName];

    static readonly string[] Meters = ["MassTransit", "Npgsql", MessagingDiagnostics.Name];

    /// <summary>OpenTelemetry as an Aspire service sets it up: ASP.NET Core, HttpClient and runtime instrumentation, plus
    /// MassTransit's, the outbox relay's and the database's spans and meters, exported over OTLP to whatever
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names (the Aspire dashboard, when the AppHost runs the service). With no endpoint
    /// nothing is exported, and only what carries trace context on is recorded (HTTP, MassTransit and relay activities, so
    /// a trace id still follows a request through messages): no database spans and no metrics, which nobody would read and
    /// which cost every request and every message.</summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var export = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o =>
                    {
                        // Probes every few seconds would bury the requests that matter.
                        o.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/alive");
                        o.EnrichWithHttpRequest = TellTraceToCaller;
                    })
                    .AddSource(PropagatingSources);
                if (export)
                    tracing.AddHttpClientInstrumentation().AddSource(ExportedSources);
            });
        if (!export)
            return builder;

        telemetry
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Meters))
            .UseOtlpExporter();
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });
        return builder;
    }

    /// <summary>Adds a service's own activity source, recorded only when telemetry is exported (see <see cref="AddTelemetry"/>).</summary>
    public static IHostApplicationBuilder AddExportedTracing(this IHostApplicationBuilder builder, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(sourceName));
        return builder;
    }

    /// <summary>Tells the caller which trace its request started (W3C Trace Context <c>traceresponse</c>), so a client or a
    /// test can follow the request into the services that consume what it published.</summary>
    static void TellTraceToCaller(System.Diagnostics.Activity activity, HttpRequest request) =>
        request.HttpContext.Response.Headers["traceresponse"] = $"00-{activity.TraceId}-{activity.SpanId}-01";
}
