using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.AppHost.Tests.EndToEnd;

/// <summary>What every end-to-end run proves over HTTP: a flash sale that never over-issues nor issues twice to one user, an
/// order saga that completes (and one that is refused and compensated), and the data platform ingesting both in the traces
/// the requests started.</summary>
public static class SuiteScenario
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static async Task RunAsync(SuiteApp suite)
    {
        var shop = new Shop(suite);
        await FlashSaleAsync(shop);
        await OrdersAsync(suite, shop);
    }

    /// <summary>120 racing requests of 100 users (20 of them twice) for 20 coupons.</summary>
    static async Task FlashSaleAsync(Shop shop)
    {
        var (couponId, _) = await shop.CreateCouponAsync(discount: 5m, quantity: 20);
        var firstUser = Random.Shared.NextInt64(1_000_000, 9_000_000_000);
        var users = Enumerable.Range(0, 100).Select(i => firstUser + i).ToList();
        var requests = users.Concat(users.Take(20)).OrderBy(_ => Random.Shared.Next()).ToList();
        var accepted = new ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (user, _) => accepted.Add(await shop.RequestCouponAsync(couponId, user)));

        var decisions = new List<JsonElement>();
        foreach (var requestId in accepted)
            decisions.Add(await shop.WaitForDecisionAsync(requestId));
        var issued = decisions.Where(d => d.GetProperty("status").GetString() == "Issued").ToList();
        Assert.Equal(20, issued.Count);
        Assert.Equal(20, issued.Select(d => d.GetProperty("userId").GetInt64()).Distinct().Count());
        Assert.All(decisions.Where(d => d.GetProperty("status").GetString() == "Rejected"),
            d => Assert.Contains(d.GetProperty("reason").GetString(), new[] { "SoldOut", "AlreadyIssued" }));
        var coupon = await shop.GetAsync("coupon", $"/api/coupons/{couponId}");
        Assert.Equal(0, coupon.GetProperty("remainingQuantity").GetInt32());
    }

    /// <summary>One order paid with a coupon completes; one the buyer cannot pay is refused and its stock put back. The data
    /// platform counts the completed one, in the trace its POST started.</summary>
    static async Task OrdersAsync(SuiteApp suite, Shop shop)
    {
        var buyer = Random.Shared.NextInt64(1_000_000, 9_000_000_000);
        var poor = buyer + 1;
        var productId = await shop.CreateProductAsync(price: 30m, stock: 3);
        await shop.ChargeAsync(buyer, 100m);
        await shop.ChargeAsync(poor, 10m);
        var (couponId, couponTrace) = await shop.CreateCouponAsync(discount: 5m, quantity: 1);
        var decided = await shop.WaitForDecisionAsync(await shop.RequestCouponAsync(couponId, buyer));
        var userCouponId = decided.GetProperty("userCouponId").GetGuid();

        var (paidOrder, paidTrace) = await shop.PlaceOrderAsync(buyer, productId, quantity: 2, userCouponId);
        var (refusedOrder, _) = await shop.PlaceOrderAsync(poor, productId, quantity: 1);
        var paid = await shop.WaitForOrderAsync(paidOrder);
        var refused = await shop.WaitForOrderAsync(refusedOrder);

        Assert.Equal("Completed", paid.GetProperty("status").GetString());
        Assert.Equal(55m, paid.GetProperty("paidAmount").GetDecimal());
        Assert.Equal("Failed", refused.GetProperty("status").GetString());
        Assert.Equal("PaymentRejected", refused.GetProperty("failureReason").GetString());
        Assert.Equal(45m, await shop.BalanceAsync(buyer));
        Assert.Equal(10m, await shop.BalanceAsync(poor));
        await Poll.UntilAsync(async _ => (await shop.GetAsync("order", $"/api/products/{productId}")).GetProperty("stock").GetInt32() == 1,
            Patience, "the refused order's stock to be released");

        // The data platform ingests the completed order and the coupon's creation, each in the trace its request started.
        await Poll.UntilAsync(async _ => Ingested(await shop.GetAsync("data-platform", "/api/events?topic=order-completed&limit=1000"),
            "orderId", paidOrder) is { } e && e.GetProperty("traceId").GetString() == paidTrace, Patience,
            "the data platform to ingest the completed order in its trace");
        await Poll.UntilAsync(async _ => Ingested(await shop.GetAsync("data-platform", "/api/events?topic=coupon-issue&limit=1000"),
            "couponId", couponId) is { } e && e.GetProperty("traceId").GetString() == couponTrace, Patience,
            "the data platform to ingest the coupon's creation in its trace");
        var stats = await shop.GetAsync("data-platform", "/api/stats");
        Assert.True(stats.GetProperty("completedOrders").GetInt64() >= 1);

        // Consumer lag is reported for every partition the coupon group reads.
        var lag = await shop.GetAsync("coupon", "/ops/consumers");
        Assert.Equal(4, lag.EnumerateArray().Count(q => q.GetProperty("topic").GetString() == "coupon-issue"));
        using var openApi = await suite.Client("order").GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
    }

    static JsonElement? Ingested(JsonElement events, string property, Guid id) =>
        events.EnumerateArray().Where(e => e.GetProperty("payload").TryGetProperty(property, out var value) && value.GetGuid() == id)
            .Select(e => (JsonElement?)e).FirstOrDefault();
}
