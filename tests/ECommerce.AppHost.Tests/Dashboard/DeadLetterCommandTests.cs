using ECommerce.AppHost.Tests.Suite;
using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.Coupon.Issuing;
using ECommerce.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Dashboard;

/// <summary>A message the coupon service cannot apply (an issue request its database does not hold) fails its retries and
/// redeliveries and is recorded as a dead letter. An operator repairs the data and runs the coupon resource's "Re-drive a
/// dead letter…" command on the dashboard with the letter's id: the message goes back to its partition, is consumed, and
/// the request is decided.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DeadLetterCommandTests(DashboardFixture dashboard, ITestOutputHelper output)
{
    [Fact]
    public async Task A_dead_letter_redriven_from_the_dashboard_is_consumed()
    {
        var suite = dashboard.Suite;
        var shop = new Shop(suite);
        var (couponId, _) = await shop.CreateCouponAsync(discount: 2m, quantity: 5);
        var requestId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var userId = Random.Shared.NextInt64(1_000_000, 9_000_000_000);
        await CouponRequestPublisher.PublishAsync(suite, messageId, new CouponIssueRequested(requestId, couponId, userId, DateTimeOffset.UtcNow));

        Guid letterId = default;
        await Poll.UntilAsync(async _ =>
        {
            var letters = await shop.GetAsync("coupon", "/ops/dead-letters");
            var letter = letters.EnumerateArray().FirstOrDefault(l => l.GetProperty("messageId").GetGuid() == messageId);
            if (letter.ValueKind == System.Text.Json.JsonValueKind.Undefined)
                return false;
            letterId = letter.GetProperty("id").GetGuid();
            Assert.Contains($"Issue request {requestId} is not in the database that accepted it.", letter.GetProperty("exception").GetString());
            return true;
        }, TimeSpan.FromSeconds(60), $"message {messageId} to be dead-lettered");

        // The repair: the request the message refers to, as the coupon service would have stored it on acceptance.
        await using (var db = new CouponDbContext(new DbContextOptionsBuilder<CouponDbContext>()
                         .UseSqlite($"Data Source={Path.Combine(suite.DataDirectory, "coupon.db")}").Options))
        {
            db.IssueRequests.Add(new IssueRequestEntity
            {
                Id = requestId, CouponId = couponId, UserId = userId, Status = IssueRequestStatus.Pending, AcceptedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var errors = new List<string>();
        var page = await dashboard.NewPageAsync(errors.Add);
        await page.GotoAsync("/");
        var dialog = await OpenCommandDialogAsync(page, "coupon", "Re-drive a dead letter…");
        await dialog.Locator("fluent-text-input input").FillAsync(letterId.ToString());
        await DashboardFixture.ScreenshotAsync(page, "redrive-dialog");
        await dialog.Locator("fluent-button[appearance=primary]").ClickAsync();

        var decided = await shop.WaitForDecisionAsync(requestId);
        Assert.Equal("Issued", decided.GetProperty("status").GetString());
        Assert.Equal(userId, decided.GetProperty("userId").GetInt64());
        // The letter is removed once the broker took the message back, in the same command; the message can be consumed and
        // decided before that removal commits (it queues behind the service's other writes), so its absence is awaited.
        await Poll.UntilAsync(async _ =>
            !(await shop.GetAsync("coupon", "/ops/dead-letters")).EnumerateArray().Any(l => l.GetProperty("id").GetGuid() == letterId),
            TimeSpan.FromSeconds(30), $"dead letter {letterId} to be removed after its re-drive");
        await DashboardFixture.ScreenshotAsync(page, "redrive-done");
        output.WriteLine(string.Join(Environment.NewLine, errors));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    /// <summary>Runs <paramref name="command"/> from <paramref name="resource"/>'s actions menu and returns its input dialog.
    /// The resources grid renders again whenever a resource's snapshot changes (a health report, a property), which can close
    /// an open menu under the pointer before the click lands; the command is then chosen again, up to a deadline.</summary>
    static async Task<ILocator> OpenCommandDialogAsync(IPage page, string resource, string command)
    {
        var dialog = page.Locator("fluent-dialog-body");
        var row = page.Locator("tr.resource-row", new() { Has = page.Locator($"td[col-index='1'][title$=': {resource}']") });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await row.Locator("fluent-button[title=Actions]").ClickAsync(new() { Timeout = 10_000 });
                await page.Locator("fluent-menu-item[title='Commands']").HoverAsync(new() { Timeout = 10_000 });
                await page.GetByRole(AriaRole.Menuitem, new() { Name = command, Exact = true }).ClickAsync(new() { Timeout = 10_000 });
                await dialog.Locator("fluent-text-input input").WaitForAsync(new() { Timeout = 10_000 });
                return dialog;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                await DashboardFixture.ScreenshotAsync(page, $"command-dialog-missing-{attempt}");
                await page.Keyboard.PressAsync("Escape");
            }
        }
    }
}
