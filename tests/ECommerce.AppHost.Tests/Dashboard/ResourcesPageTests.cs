using ECommerce.AppHost.Tests.Suite;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Dashboard;

/// <summary>The Aspire dashboard's resources page shows the broker, its nodes and the four services running and healthy, each
/// service with links to its OpenAPI document and operations API; a service's console output is on its console page.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ResourcesPageTests(DashboardFixture dashboard, ITestOutputHelper output)
{
    static readonly LocatorAssertionsToHaveAttributeOptions Minute = new() { Timeout = 60_000 };

    [Fact]
    public async Task The_broker_and_the_services_are_running_and_healthy_and_a_services_console_is_shown()
    {
        var errors = new List<string>();
        var page = await dashboard.NewPageAsync(errors.Add);
        await page.GotoAsync("/");
        foreach (var resource in (string[])["messaging", "messaging-1", .. SuiteApp.Services])
        {
            var row = Row(page, resource);
            // The state cell reads "Running" and carries the healthy mark (an unhealthy resource reads "Running (Unhealthy)").
            var state = row.Locator("td[col-index='2']");
            await Assertions.Expect(state).ToHaveAttributeAsync("title", "Running", Minute);
            await Assertions.Expect(state.Locator("svg.severity-icon")).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex("--success"), Minute);
        }

        var coupon = Row(page, "coupon");
        foreach (var link in (string[])["API", "OpenAPI", "Consumer lag", "Outbox", "Dead letters"])
            await Assertions.Expect(coupon.GetByRole(AriaRole.Link, new() { Name = link, Exact = true })).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "resources");

        await page.GotoAsync("/consolelogs/resource/coupon");
        await Assertions.Expect(page.Locator(".log-content", new() { HasText = "Now listening on" }).First)
            .ToBeVisibleAsync(new() { Timeout = 60_000 });
        await DashboardFixture.ScreenshotAsync(page, "console-coupon");

        output.WriteLine(string.Join(Environment.NewLine, errors));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    static ILocator Row(IPage page, string resource) =>
        page.Locator("tr.resource-row", new() { Has = page.Locator($"td[col-index='1'][title$=': {resource}']") });
}
