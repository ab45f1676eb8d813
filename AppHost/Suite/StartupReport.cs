using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.AppHost.Suite;

/// <summary>Logs, once, how long the suite took from the AppHost's start until every project resource was healthy: the
/// cold-start time README quotes.</summary>
internal sealed partial class StartupReport(DistributedApplicationModel model, ResourceNotificationService notifications,
    ILogger<StartupReport> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var projects = model.Resources.OfType<ProjectResource>().Select(p => p.Name).ToList();
        try
        {
            await Task.WhenAll(projects.Select(p => notifications.WaitForResourceHealthyAsync(p, stoppingToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
        LogReady(logger, projects.Count, string.Join(", ", projects), elapsed.TotalSeconds);
    }

    [LoggerMessage(LogLevel.Information, "All {Count} services healthy ({Services}) {Seconds:0.0} s after the AppHost started")]
    static partial void LogReady(ILogger logger, int count, string services, double seconds);
}
