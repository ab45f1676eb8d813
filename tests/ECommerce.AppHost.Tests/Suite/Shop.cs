using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.AppHost.Tests.Suite;

/// <summary>The suite's public HTTP API as a customer uses it.</summary>
public sealed class Shop(SuiteApp suite)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public async Task<Guid> CreateProductAsync(decimal price, int stock)
    {
        var body = await PostAsync("order", "/api/products", new { name = "Lamp", price, stock }, HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    public Task ChargeAsync(long userId, decimal amount) =>
        PostAsync("balance", $"/api/users/{userId}/balance/charges", new { amount }, HttpStatusCode.OK);

    public async Task<decimal> BalanceAsync(long userId) =>
        (await GetAsync("balance", $"/api/users/{userId}/balance")).GetProperty("balance").GetDecimal();

    public async Task<(Guid CouponId, string TraceId)> CreateCouponAsync(decimal discount, int quantity)
    {
        using var response = await suite.Client("coupon").PostAsJsonAsync("/api/coupons",
            new { name = "Coupon", discountAmount = discount, totalQuantity = quantity });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetGuid(), TraceOf(response));
    }

    public async Task<Guid> RequestCouponAsync(Guid couponId, long userId)
    {
        var request = await PostAsync("coupon", $"/api/coupons/{couponId}/issue-requests", new { userId }, HttpStatusCode.Accepted);
        return request.GetProperty("requestId").GetGuid();
    }

    /// <summary>Waits until the issue request is decided (not Pending); returns it.</summary>
    public async Task<JsonElement> WaitForDecisionAsync(Guid requestId)
    {
        JsonElement result = default;
        await Poll.UntilAsync(async _ =>
        {
            result = await GetAsync("coupon", $"/api/coupon-issue-requests/{requestId}");
            return result.GetProperty("status").GetString() != "Pending";
        }, Patience, $"issue request {requestId} to be decided");
        return result;
    }

    /// <summary>Places the order; returns its id and the trace its POST started (the service's traceresponse header).</summary>
    public async Task<(Guid OrderId, string TraceId)> PlaceOrderAsync(long userId, Guid productId, int quantity, Guid? userCouponId = null)
    {
        using var response = await suite.Client("order").PostAsJsonAsync("/api/orders",
            new { userId, items = new[] { new { productId, quantity } }, userCouponId });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("orderId").GetGuid(), TraceOf(response));
    }

    /// <summary>Waits until the order ended (Completed or Failed); returns it.</summary>
    public async Task<JsonElement> WaitForOrderAsync(Guid orderId)
    {
        JsonElement order = default;
        await Poll.UntilAsync(async _ =>
        {
            order = await GetAsync("order", $"/api/orders/{orderId}");
            return order.GetProperty("status").GetString() != "Pending";
        }, Patience, $"order {orderId} to end");
        return order;
    }

    public async Task<JsonElement> GetAsync(string service, string path)
    {
        using var response = await suite.Client(service).GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {service}{path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> PostAsync(string service, string path, object body, HttpStatusCode expected)
    {
        using var response = await suite.Client(service).PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {service}{path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    static string TraceOf(HttpResponseMessage response) => response.Headers.GetValues("traceresponse").Single().Split('-')[1];
}
