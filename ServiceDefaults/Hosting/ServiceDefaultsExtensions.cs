using ECommerce.ServiceDefaults.Http;
using ECommerce.ServiceDefaults.Ops;
using ECommerce.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>What Aspire's ServiceDefaults give every service (telemetry, health checks, service discovery and the standard
    /// resilience handler on every HttpClient) plus problem details for every error, OpenAPI, and binding to 127.0.0.1 on
    /// the service's default port unless <c>ASPNETCORE_URLS</c>/<c>urls</c> says otherwise.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls($"http://127.0.0.1:{defaultPort}");

        builder.AddTelemetry(serviceName);
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<OverloadExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthTags.Live]);
        // Unreadable bodies throw so that BadRequestExceptionHandler can name the field (by default only Development throws).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Result", LogLevel.Warning);
        // One line per configured endpoint and consumer at start-up drowns the console the AppHost shows.
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        return builder;
    }

    /// <summary>The middleware and endpoints every service has: problem details, <c>/health</c>, <c>/alive</c>,
    /// <c>/openapi/v1.json</c> and the <c>/ops</c> API.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready) || c.Tags.Contains(HealthTags.Live) });
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Live) });
        app.MapOpsEndpoints();
        return app;
    }
}
