using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>The coupon service's HTTP API as a client sees it.</summary>
public sealed class CouponApi : IDisposable
{
    readonly HttpClient _client;

    public CouponApi(Uri baseAddress, int maxConnections)
    {
        // One pool per instance, as wide as the load's concurrency, so requests never queue inside the client.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress => _client.BaseAddress!;

    public async Task<Guid> CreateCouponAsync(string name, decimal discountAmount, int totalQuantity)
    {
        using var response = await _client.PostAsJsonAsync(new Uri("api/coupons", UriKind.Relative),
            new { name, discountAmount, totalQuantity }).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Creating coupon '{name}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false)).GetProperty("id").GetGuid();
    }

    /// <summary>POST /api/coupons/{couponId}/issue-requests. A transport failure (the instance is gone) throws
    /// <see cref="HttpRequestException"/>; every HTTP answer is returned.</summary>
    public async Task<IssueAttempt> RequestAsync(Guid couponId, long userId, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/coupons/{couponId}/issue-requests", UriKind.Relative))
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $$"""{"userId":{{userId}}}"""), Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
            return new IssueAttempt(response.StatusCode, null, null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        return new IssueAttempt(response.StatusCode, body.GetProperty("requestId").GetGuid(), body.GetProperty("status").GetString());
    }

    /// <summary>GET /api/coupon-issue-requests/{requestId}.</summary>
    public Task<JsonElement> GetRequestAsync(Guid requestId) =>
        _client.GetFromJsonAsync<JsonElement>(new Uri($"api/coupon-issue-requests/{requestId}", UriKind.Relative));

    /// <summary>GET /api/users/{userId}/coupons.</summary>
    public Task<JsonElement> GetUserCouponsAsync(long userId) =>
        _client.GetFromJsonAsync<JsonElement>(new Uri(string.Create(CultureInfo.InvariantCulture, $"api/users/{userId}/coupons"), UriKind.Relative));

    /// <summary>GET /api/coupons/{couponId}.</summary>
    public Task<JsonElement> GetCouponAsync(Guid couponId) =>
        _client.GetFromJsonAsync<JsonElement>(new Uri($"api/coupons/{couponId}", UriKind.Relative));

    /// <summary>GET /ops/consumers: per group, topic and partition the lag, the committed and end offsets and the owner.</summary>
    public Task<JsonElement> ConsumersAsync() => _client.GetFromJsonAsync<JsonElement>(new Uri("ops/consumers", UriKind.Relative));

    public void Dispose() => _client.Dispose();
}
