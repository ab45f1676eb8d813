using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>The balance service's HTTP API as a client sees it.</summary>
public sealed class BalanceApi : IDisposable
{
    readonly HttpClient _client;

    public BalanceApi(Uri baseAddress, int maxConnections)
    {
        // One pool per instance, as wide as the load's concurrency, so requests never queue inside the client.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>POST /api/users/{userId}/balance/charges; returns the status and, on 200, the balance answered.</summary>
    public async Task<(HttpStatusCode Status, decimal? Balance)> ChargeAsync(long userId, decimal amount, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(string.Create(CultureInfo.InvariantCulture, $"api/users/{userId}/balance/charges"), UriKind.Relative))
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $$"""{"amount":{{amount}}}"""), Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await _client.SendAsync(request).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            return (response.StatusCode, null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
        return (response.StatusCode, body.GetProperty("balance").GetDecimal());
    }

    /// <summary>GET /api/users/{userId}/balance.</summary>
    public async Task<decimal> BalanceAsync(long userId) =>
        (await _client.GetFromJsonAsync<JsonElement>(new Uri(string.Create(CultureInfo.InvariantCulture, $"api/users/{userId}/balance"), UriKind.Relative))
            .ConfigureAwait(false)).GetProperty("balance").GetDecimal();

    /// <summary>GET /api/users/{userId}/balance/history.</summary>
    public async Task<JsonElement> HistoryAsync(long userId) =>
        await _client.GetFromJsonAsync<JsonElement>(new Uri(string.Create(CultureInfo.InvariantCulture, $"api/users/{userId}/balance/history"), UriKind.Relative))
            .ConfigureAwait(false);

    public void Dispose() => _client.Dispose();
}
