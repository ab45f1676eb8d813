using ECommerce.AppHost.Tests.Suite;
using ECommerce.Testing.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Dashboard;

/// <summary>An order paid with a coupon runs through the order saga, the coupon and balance services and the data platform;
/// its trace on the Aspire dashboard holds spans of all four: the HTTP request, the outbox relay's publishes, the consumers'
/// receive and process, and the database commands in between.</summary>
[Collection(DashboardCollection.Name)]
public sealed class TracePageTests(DashboardFixture dashboard, ITestOutputHelper output)
{
    [Fact]
    public async Task An_orders_trace_spans_order_coupon_balance_and_the_data_platform()
    {
        var shop = new Shop(dashboard.Suite);
        var userId = Random.Shared.NextInt64(1_000_000, 9_000_000_000);
        var productId = await shop.CreateProductAsync(price: 40m, stock: 10);
        await shop.ChargeAsync(userId, 100m);
        var (couponId, _) = await shop.CreateCouponAsync(discount: 5m, quantity: 10);
        var issued = await shop.WaitForDecisionAsync(await shop.RequestCouponAsync(couponId, userId));
        var (orderId, traceId) = await shop.PlaceOrderAsync(userId, productId, quantity: 2, issued.GetProperty("userCouponId").GetGuid());
        Assert.Equal("Completed", (await shop.WaitForOrderAsync(orderId)).GetProperty("status").GetString());
        output.WriteLine($"order {orderId} completed in trace {traceId}");

        var errors = new List<string>();
        var page = await dashboard.NewPageAsync(errors.Add);
        // The services export in batches, so the trace fills in over a few seconds: reload until all four have reported.
        IReadOnlyCollection<string> spans = [];
        await Poll.UntilAsync(async _ =>
        {
            await page.GotoAsync($"/traces/detail/{traceId}");
            spans = await SpanTitlesAsync(page);
            return (string[])["order", "coupon", "balance", "data-platform"] is var services
                && services.All(s => spans.Any(t => t.StartsWith(s + ": ", StringComparison.Ordinal)));
        }, TimeSpan.FromSeconds(90), "the trace to hold spans of order, coupon, balance and data-platform");
        output.WriteLine(string.Join(Environment.NewLine, spans));

        Assert.Contains(spans, t => t.StartsWith("order: POST /api/orders", StringComparison.Ordinal));
        Assert.Contains(spans, t => t.Contains("receive", StringComparison.Ordinal) && t.StartsWith("coupon: ", StringComparison.Ordinal));
        Assert.Contains(spans, t => t.Contains("process", StringComparison.Ordinal) && t.StartsWith("balance: ", StringComparison.Ordinal));
        Assert.Contains(spans, t => t.StartsWith("balance: sqlite", StringComparison.Ordinal));
        Assert.Contains(spans, t => t.StartsWith("data-platform: ", StringComparison.Ordinal));
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await DashboardFixture.ScreenshotAsync(page, "order-trace");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    /// <summary>Every span row's title ("resource: name"), scrolling through the grid, which renders only the rows in view.</summary>
    static async Task<IReadOnlyCollection<string>> SpanTitlesAsync(IPage page)
    {
        var rows = page.Locator("td[col-index='1'][title]");
        await rows.First.WaitForAsync(new() { Timeout = 30_000 });
        var titles = new HashSet<string>(StringComparer.Ordinal);
        var unchanged = 0;
        while (unchanged < 3)
        {
            var seen = await rows.EvaluateAllAsync<string[]>("cells => cells.map(c => c.getAttribute('title'))");
            var before = titles.Count;
            titles.UnionWith(seen);
            unchanged = titles.Count == before ? unchanged + 1 : 0;
            await rows.Last.ScrollIntoViewIfNeededAsync();
            await page.Mouse.WheelAsync(0, 800);
            await page.WaitForTimeoutAsync(150);
        }

        return titles;
    }
}
