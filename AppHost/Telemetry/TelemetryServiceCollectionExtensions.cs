using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ECommerce.AppHost.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The stores behind <see cref="OtlpReceiverEndpoints.MapOtlpReceiver"/> and
    /// <see cref="TelemetryApiEndpoints.MapTelemetryApi"/>, limited by <see cref="TelemetryLimits"/> from configuration.</summary>
    public static IServiceCollection AddOtlpReceiver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var limits = configuration.GetSection(TelemetryLimits.SectionName).Get<TelemetryLimits>() ?? new TelemetryLimits();
        if (limits.MaxSpans < 1 || limits.MaxLogs < 1 || limits.MetricHistory < 1 || limits.MaxRequestBytes < 1024)
        {
            throw new InvalidOperationException($"{TelemetryLimits.SectionName}: MaxSpans, MaxLogs and MetricHistory must be positive and MaxRequestBytes at least 1024.");
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(services => new TelemetryStores(limits, services.GetRequiredService<TimeProvider>()));
        return services;
    }
}
