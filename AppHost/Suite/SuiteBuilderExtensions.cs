using System.Globalization;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;

namespace ECommerce.AppHost.Suite;

public static class SuiteBuilderExtensions
{
    /// <summary>Reads <see cref="SuiteSettings"/> and moves the dashboard's ports with the port base, so a second suite (a
    /// test run beside a running one) collides with nothing.</summary>
    public static SuiteSettings AddSuiteSettings(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(SuiteSettings.SectionName).Get<SuiteSettings>() ?? new SuiteSettings();
        if (settings.KafkaNodes is not (1 or 3))
            throw new ArgumentException($"AppHost:KafkaNodes is {settings.KafkaNodes}; the suite runs 1 broker node or a cluster of 3.");
        if (settings.Replicas is < 1 or > 8)
            throw new ArgumentException($"AppHost:Replicas is {settings.Replicas}; each service runs 1 to 8 instances.");
        settings.Messaging = MessagingOptions.From(builder.Configuration.GetSection(MessagingOptions.SectionName));

        if (settings.PortBase != SuitePorts.DefaultBase)
        {
            var dashboard = settings.DashboardPort;
            builder.Configuration["ASPNETCORE_URLS"] = Url(dashboard);
            builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = Url(dashboard + 2);
            builder.Configuration["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = Url(dashboard + 3);
        }

        return settings;
    }

    static string Url(int port) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
}
