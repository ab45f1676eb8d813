using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Dashboard.Tests;

/// <summary>The suite's public HTTP API as a customer uses it: just enough to place an order that touches every service.</summary>
internal sealed class Shop(DashboardSuite suite) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task<Guid> CreateProductAsync(decimal price, int stock)
    {
        var body = await PostAsync("order", "/api/products", new { name = "Dashboard lamp", price, stock }, HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    public Task ChargeAsync(long userId, decimal amount) =>
        PostAsync("balance", $"/api/users/{userId}/balance/charges", new { amount }, HttpStatusCode.OK);

    public async Task<Guid> CreateCouponAsync(decimal discount, int quantity)
    {
        var body = await PostAsync("coupon", "/api/coupons", new { name = "Dashboard coupon", discountAmount = discount, totalQuantity = quantity },
            HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>Requests the coupon for the user and waits until it is issued; returns the user-coupon.</summary>
    public async Task<Guid> IssueCouponAsync(Guid couponId, long userId)
    {
        var request = await PostAsync("coupon", $"/api/coupons/{couponId}/issue-requests", new { userId }, HttpStatusCode.Accepted);
        var requestId = request.GetProperty("requestId").GetGuid();
        var decided = await WaitForIssueRequestAsync(requestId, "Issued");
        return decided.GetProperty("userCouponId").GetGuid();
    }

    public async Task<JsonElement> WaitForIssueRequestAsync(Guid requestId, string status)
    {
        JsonElement result = default;
        await Poll.UntilAsync(async ct =>
        {
            using var response = await http.GetAsync(new Uri(suite.ServiceUri("coupon"), $"/api/coupon-issue-requests/{requestId}"), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            result = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return result.GetProperty("status").GetString() == status;
        }, Patience, $"issue request {requestId} to be {status}");
        return result;
    }

    /// <summary>Places the order; returns its id and the trace its POST started (the service's traceresponse header).</summary>
    public async Task<(Guid OrderId, string TraceId)> PlaceOrderAsync(long userId, Guid productId, int quantity, Guid? userCouponId)
    {
        using var response = await http.PostAsJsonAsync(new Uri(suite.ServiceUri("order"), "/api/orders"),
            new { userId, items = new[] { new { productId, quantity } }, userCouponId });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var traceId = response.Headers.GetValues("traceresponse").Single().Split('-')[1];
        return (body.GetProperty("orderId").GetGuid(), traceId);
    }

    public async Task<JsonElement> WaitForOrderAsync(Guid orderId)
    {
        JsonElement order = default;
        await Poll.UntilAsync(async ct =>
        {
            order = await http.GetFromJsonAsync<JsonElement>(new Uri(suite.ServiceUri("order"), $"/api/orders/{orderId}"), ct);
            return order.GetProperty("status").GetString() != "Pending";
        }, Patience, $"order {orderId} to end");
        return order;
    }

    public void Dispose() => http.Dispose();

    private async Task<JsonElement> PostAsync(string service, string path, object body, HttpStatusCode expected)
    {
        using var response = await http.PostAsJsonAsync(new Uri(suite.ServiceUri(service), path), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
