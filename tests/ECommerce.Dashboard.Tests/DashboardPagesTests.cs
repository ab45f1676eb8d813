using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ECommerce.Dashboard.Tests;

/// <summary>Each page renders live data in Chromium without script errors.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardPagesTests(DashboardSuite suite, ITestOutputHelper output)
{
    private static readonly LocatorAssertionsToHaveCountOptions Minute = new() { Timeout = 60_000 };

    [Fact]
    public async Task Resources_console_topics_metrics_and_logs_pages_show_the_running_suite()
    {
        var errors = new List<string>();
        var page = await suite.NewPageAsync(line => { errors.Add(line); output.WriteLine(line); });

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("[data-testid=resource-row][data-state=Healthy]")).ToHaveCountAsync(5, Minute);
        await Assertions.Expect(page.Locator("[data-testid=resource-row][data-name=coupon]")).ToContainTextAsync("http://127.0.0.1:");
        await Assertions.Expect(page.Locator("#summary")).ToHaveTextAsync("5/5 healthy");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardSuite.ArtifactsDirectory, "resources.png") });

        await page.Locator("[data-testid=resource-row][data-name=coupon]").GetByText("Console").ClickAsync();
        await page.WaitForURLAsync("**/#/console/coupon");
        var console = page.GetByTestId("console");
        await Assertions.Expect(console.Locator(".line").First).ToBeVisibleAsync();
        await page.GetByLabel("Search").FillAsync("Now listening");
        await Assertions.Expect(console.Locator("mark").First).ToHaveTextAsync("Now listening", new() { IgnoreCase = true });

        await page.GotoAsync("#/topics");
        await Assertions.Expect(page.Locator("[data-testid=topic][data-topic=coupon-issue] [data-testid=queue-row][data-service=coupon]")).ToHaveCountAsync(4, Minute);

        await page.GotoAsync("#/metrics");
        await Assertions.Expect(page.GetByTestId("metrics-card")).ToHaveCountAsync(4, Minute);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardSuite.ArtifactsDirectory, "metrics.png") });

        await page.GotoAsync("#/logs");
        await Assertions.Expect(page.GetByTestId("log-row").First).ToBeVisibleAsync(new() { Timeout = 60_000 });

        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
