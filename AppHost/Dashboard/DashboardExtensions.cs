using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using ECommerce.AppHost.Hosting;
using ECommerce.AppHost.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.AppHost.Dashboard;

/// <summary>The AppHost's dashboard: Kestrel on 127.0.0.1 at <see cref="AppHostSettings.DashboardPort"/>, serving the
/// pages, their JSON API over the resource registry and the services' ops APIs, and the OTLP receiver the services export
/// their traces, logs and metrics to.</summary>
public static class DashboardExtensions
{
    /// <summary>The named HttpClient the dashboard calls the services' ops APIs with.</summary>
    internal const string OpsClient = "ops";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(AppHostSettings.SectionName).Get<AppHostSettings>() ?? new AppHostSettings();
        // Loopback only, and on exactly this port: ASPNETCORE_URLS in the environment is meant for the services.
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, settings.DashboardPort));
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddProblemDetails();
        builder.Services.AddHttpClient(OpsClient, http => http.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<ServiceOpsClient>();
        builder.Services.AddOtlpReceiver(builder.Configuration);
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<AppHostSettings>();
        app.UseMiddleware<LocalRequestGuard>(settings.DashboardPort);
        app.UseStatusCodePages();
        app.MapOtlpReceiver();
        app.MapTelemetryApi();
        app.MapResourceApi();
        app.MapMessagingApi();
        app.MapDashboardAssets();

        var reporter = app.Services.GetRequiredService<ConsoleReporter>();
        app.Lifetime.ApplicationStarted.Register(() =>
            reporter.Info(string.Create(CultureInfo.InvariantCulture, $"dashboard: http://127.0.0.1:{settings.DashboardPort}/")));
        return app;
    }
}
