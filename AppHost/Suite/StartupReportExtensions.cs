using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.AppHost.Suite;

public static class StartupReportExtensions
{
    public static IDistributedApplicationBuilder AddStartupReport(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }
}
