using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.AppHost.Hosting;

namespace ECommerce.AppHost.Dashboard;

/// <summary>Calls the services' operations APIs (<c>/ops/…</c>) for the dashboard. A service that is down or slow is an
/// answer to show, not an error of the dashboard: every call returns either the JSON or why there is none.</summary>
internal sealed class ServiceOpsClient(IHttpClientFactory clients, AppHostSettings settings)
{
    public Uri BaseOf(string service) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{settings.PortOf(service)}/"));

    public async Task<(JsonElement? Json, string? Error)> GetAsync(string service, string path, CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(DashboardExtensions.OpsClient);
        try
        {
            using var response = await http.GetAsync(new Uri(BaseOf(service), path), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"{path} answered {(int)response.StatusCode} {response.ReasonPhrase}"));
            }

            return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, $"{path}: {e.Message}");
        }
    }

    /// <summary>Sends <paramref name="method"/> to the service and hands back its status and body as they are; a service
    /// that cannot be reached is a 502.</summary>
    public async Task<(int Status, string? ContentType, string Body)> ForwardAsync(string service, HttpMethod method, string path,
        CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(DashboardExtensions.OpsClient);
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(BaseOf(service), path));
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var problem = JsonSerializer.Serialize(new { title = $"The {service} service could not be reached.", status = 502, detail = e.Message });
            return (502, "application/problem+json", problem);
        }
    }
}
