using ECommerce.Testing.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ECommerce.Dashboard.Tests;

/// <summary>An order placed over HTTP runs through the order saga, the balance and coupon services and the data platform;
/// its trace, exported by each service to the AppHost's OTLP receiver, is found on the traces page and drawn as one
/// waterfall across the services.</summary>
[Collection(DashboardCollection.Name)]
public sealed class TraceWaterfallTests(DashboardSuite suite, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_orders_trace_is_found_and_its_waterfall_spans_the_services()
    {
        using var shop = new Shop(suite);
        var userId = Random.Shared.NextInt64(1_000_000, 9_000_000);
        var productId = await shop.CreateProductAsync(price: 40m, stock: 10);
        await shop.ChargeAsync(userId, 100m);
        var couponId = await shop.CreateCouponAsync(discount: 5m, quantity: 10);
        var userCouponId = await shop.IssueCouponAsync(couponId, userId);
        var (orderId, traceId) = await shop.PlaceOrderAsync(userId, productId, quantity: 2, userCouponId);
        var order = await shop.WaitForOrderAsync(orderId);
        Assert.Equal("Completed", order.GetProperty("status").GetString());
        output.WriteLine($"order {orderId} completed in trace {traceId}");

        var page = await suite.NewPageAsync(output.WriteLine);
        await page.GotoAsync("#/traces");
        await page.GetByTestId("trace-row").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        // A trace id typed into the search box opens that trace once Enter commits it; the page's periodic refresh in
        // between keeps listing rather than acting on what is still being typed.
        var search = page.GetByLabel("Search");
        await search.FillAsync(traceId);
        await page.WaitForRequestAsync(request => request.Url.Contains("/api/telemetry/traces?", StringComparison.Ordinal),
            new PageWaitForRequestOptions { Timeout = 10_000 });
        Assert.EndsWith("#/traces", page.Url, StringComparison.Ordinal);
        await search.PressAsync("Enter");
        await page.WaitForURLAsync($"**/#/traces/{traceId}");

        // The services export in batches: wait until the spans of at least three of them have arrived and are drawn.
        IReadOnlyList<string> services = [];
        await Poll.UntilAsync(async _ =>
        {
            services = (await page.GetByTestId("span-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.service)"))
                .Distinct().ToList();
            return services.Count >= 3 && services.Contains("order");
        }, Patience, "the waterfall to hold spans of at least three services");
        output.WriteLine("services in the waterfall: " + string.Join(", ", services));

        var kinds = await page.GetByTestId("span-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.kind)");
        Assert.Contains("server", kinds);
        Assert.Contains("consumer", kinds);
        Assert.Contains("producer", kinds);

        // A span's attributes show beside the waterfall: the HTTP request's route and status.
        await page.Locator("[data-testid=span-row][data-kind=server]").First.ClickAsync();
        var details = page.GetByTestId("span-details");
        await Assertions.Expect(details).ToContainTextAsync("http.route");
        await Assertions.Expect(details).ToContainTextAsync("/api/orders");

        var screenshot = Path.Combine(DashboardSuite.ArtifactsDirectory, "trace-waterfall.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine("screenshot: " + screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
        await page.Context.CloseAsync();
    }
}
