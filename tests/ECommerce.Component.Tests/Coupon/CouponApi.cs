using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Component.Tests.Infrastructure;
using Xunit;

namespace ECommerce.Component.Tests.Coupon;

/// <summary>The coupon service's HTTP calls the issuing tests make, and waiting for a request's decision.</summary>
public static class CouponApi
{
    public static async Task<Guid> CreateCouponAsync(HttpClient client, int stock, decimal discount = 5m)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostAsJsonAsync(new Uri("/api/coupons", UriKind.Relative),
            new { name = "Flash sale", discountAmount = discount, totalQuantity = stock });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<HttpResponseMessage> RequestAsync(HttpClient client, Guid couponId, object body, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/coupons/{couponId}/issue-requests", UriKind.Relative))
        {
            Content = JsonContent.Create(body),
        };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task<Guid> RequestIdAsync(HttpClient client, Guid couponId, long userId, string? idempotencyKey = null)
    {
        using var response = await RequestAsync(client, couponId, new { userId }, idempotencyKey);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Pending", body.GetProperty("status").GetString());
        var requestId = body.GetProperty("requestId").GetGuid();
        Assert.Equal($"/api/coupon-issue-requests/{requestId}", response.Headers.Location?.OriginalString);
        return requestId;
    }

    public static async Task<JsonElement> DecidedAsync(HttpClient client, Guid requestId) =>
        await Eventually.UntilAsync(
            async () => await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/coupon-issue-requests/{requestId}", UriKind.Relative)),
            r => r.GetProperty("status").GetString() != "Pending",
            $"issue request {requestId} to be decided");
}
