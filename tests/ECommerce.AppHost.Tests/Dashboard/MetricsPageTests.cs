using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Dashboard;

/// <summary>The suite's own gauges (consumer lag per group, topic and partition; the outbox backlog; the dead-letter count) are
/// instruments on the Aspire dashboard's Metrics page, charted like any other.</summary>
[Collection(DashboardCollection.Name)]
public sealed class MetricsPageTests(DashboardFixture dashboard, ITestOutputHelper output)
{
    [Fact]
    public async Task Consumer_lag_is_charted_per_topic_and_partition()
    {
        var errors = new List<string>();
        var page = await dashboard.NewPageAsync(errors.Add);
        await page.GotoAsync("/metrics/resource/coupon");
        foreach (var instrument in (string[])["ecommerce.outbox.backlog", "ecommerce.dead_letters"])
            await Assertions.Expect(Instrument(page, instrument)).ToBeVisibleAsync(new() { Timeout = 60_000 });

        await Instrument(page, "ecommerce.consumer.lag").ClickAsync();
        // The dashboard navigates within the page (no load event): the address changes, the page does not reload.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("instrument=ecommerce.consumer.lag"));
        // The chart's dimension filters list the gauge's attributes and their values.
        await Assertions.Expect(page.GetByText("messaging.destination.name").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("coupon-issue").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("messaging.destination.partition.id").First).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "metrics-consumer-lag");
        output.WriteLine(page.Url);
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    static ILocator Instrument(IPage page, string name) => page.Locator($"fluent-tree-item[title='{name}']");
}
