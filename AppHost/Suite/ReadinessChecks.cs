using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ECommerce.AppHost.Suite;

/// <summary>Health checks that wait a little for what they check instead of answering at once. Aspire runs a failing check
/// again after 1 s, then 2, 3, 4 and every 5 s: a service that answers just after one run would be seen healthy only seconds
/// later, and everything waiting for it waits that long too (it made the suite's cold start vary by 4 s). These checks ask
/// every 100 ms for up to <see cref="Patience"/> and report the moment the answer comes (the Kafka nodes' check waits as long,
/// in its metadata request).</summary>
internal static class ReadinessChecks
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Healthy once <paramref name="path"/> on <paramref name="endpoint"/> answers with a success status, as Aspire's
    /// <c>WithHttpHealthCheck</c>, but asked until it does (within <see cref="Patience"/>).</summary>
    public static IResourceBuilder<ProjectResource> WithPatientHttpHealthCheck(this IResourceBuilder<ProjectResource> service, string path)
    {
        ArgumentNullException.ThrowIfNull(service);
        var endpoint = service.GetEndpoint("http");
        var key = $"{service.Resource.Name}-http-ready";
        service.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, ct => UntilAsync(() => AnswersAsync(endpoint, path, ct), ct));
        return service.WithHealthCheck(key);
    }

    /// <summary>Runs <paramref name="check"/> every 100 ms until it reports healthy or <see cref="Patience"/> has passed; returns
    /// its last report.</summary>
    static async Task<HealthCheckResult> UntilAsync(Func<Task<HealthCheckResult>> check, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var result = await check().ConfigureAwait(false);
            if (result.Status == HealthStatus.Healthy || Stopwatch.GetElapsedTime(started) >= Patience)
                return result;
            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    static async Task<HealthCheckResult> AnswersAsync(EndpointReference endpoint, string path, CancellationToken cancellationToken)
    {
        if (!endpoint.IsAllocated)
            return HealthCheckResult.Unhealthy("The endpoint has no address yet.");
        try
        {
            using var response = await Http.GetAsync(new Uri(new Uri(endpoint.Url), path), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{path} answered {(int)response.StatusCode}.");
        }
        catch (HttpRequestException e)
        {
            return HealthCheckResult.Unhealthy($"{path} does not answer: {e.Message}");
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{path} did not answer within {Http.Timeout.TotalSeconds} s.", e);
        }
    }
}
