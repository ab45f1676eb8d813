using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>The data platform's HTTP API, as a client sees it.</summary>
public sealed class DataPlatformApi(Uri baseAddress) : IDisposable
{
    readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<JsonElement> StatsAsync() => await _http.GetFromJsonAsync<JsonElement>(new Uri("api/stats", UriKind.Relative)).ConfigureAwait(false);

    public async Task<long> EventsIngestedAsync() => (await StatsAsync().ConfigureAwait(false)).GetProperty("eventsIngested").GetInt64();

    public async Task<JsonElement> TopProductsAsync(int limit) =>
        await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/stats/products/top?limit={limit}", UriKind.Relative)).ConfigureAwait(false);

    /// <summary>Every event of the log, page by page (<c>after</c> = the last sequence seen).</summary>
    public async Task<List<JsonElement>> AllEventsAsync()
    {
        var all = new List<JsonElement>();
        var after = 0L;
        while (true)
        {
            var page = await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/events?limit=1000&after={after}", UriKind.Relative)).ConfigureAwait(false);
            var events = page.EnumerateArray().ToList();
            if (events.Count == 0)
                return all;
            all.AddRange(events);
            after = events[^1].GetProperty("sequence").GetInt64();
        }
    }

    /// <summary>GET /ops/consumers: the ingest's position, end offset, lag and reader per partition of the domain topics.</summary>
    public async Task<List<JsonElement>> ConsumersAsync() =>
        (await _http.GetFromJsonAsync<JsonElement>(new Uri("ops/consumers", UriKind.Relative)).ConfigureAwait(false)).EnumerateArray().ToList();

    public async Task<JsonElement> DeadLettersAsync() =>
        await _http.GetFromJsonAsync<JsonElement>(new Uri("ops/dead-letters", UriKind.Relative)).ConfigureAwait(false);

    /// <summary>Requests a replay and waits until it is carried out; returns its final state.</summary>
    public async Task<JsonElement> ReplayAsync(TimeSpan timeout)
    {
        using var response = await _http.PostAsync(new Uri("api/replay", UriKind.Relative), null).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST api/replay answered {(int)response.StatusCode}, not 202.");
        var location = response.Headers.Location ?? throw new InvalidOperationException("202 without a Location.");
        JsonElement state = default;
        await Poll.UntilAsync(async ct =>
        {
            state = await _http.GetFromJsonAsync<JsonElement>(location, ct).ConfigureAwait(false);
            return state.GetProperty("status").GetString() != "Pending";
        }, timeout, "the replay to complete").ConfigureAwait(false);
        return state;
    }

    public void Dispose() => _http.Dispose();
}
