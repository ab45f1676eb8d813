using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.Coupon.Data;
using ECommerce.Coupon.Issuing;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ECommerce.Dashboard.Tests;

/// <summary>A message the coupon service cannot apply (an issue request its database does not hold) fails its retries and
/// redelivery and shows on the dead-letters page with its exception. An operator repairs the data and presses Re-drive: the
/// message goes back to its queue, is consumed, and the request is decided.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DeadLetterPageTests(DashboardSuite suite, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_poison_message_is_shown_redriven_from_the_page_and_consumed()
    {
        using var shop = new Shop(suite);
        var couponId = await shop.CreateCouponAsync(discount: 2m, quantity: 5);
        var requestId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var userId = Random.Shared.NextInt64(1_000_000, 9_000_000);
        await PublishAsync(messageId, new CouponIssueRequested(requestId, couponId, userId, DateTimeOffset.UtcNow));

        var page = await suite.NewPageAsync(output.WriteLine);
        await page.GotoAsync("#/dead-letters");
        var row = page.Locator($"[data-testid=dead-letter-row][data-message-id='{messageId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(row).ToContainTextAsync("coupon");
        await Assertions.Expect(row).ToContainTextAsync("CouponIssueRequested");
        await Assertions.Expect(row).ToContainTextAsync($"Issue request {requestId} is not in the database that accepted it.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardSuite.ArtifactsDirectory, "dead-letters.png"), FullPage = true });

        // The repair: the request the message refers to, as the coupon service would have stored it on acceptance.
        await using (var db = CouponDatabase())
        {
            db.IssueRequests.Add(new IssueRequestEntity
            {
                Id = requestId, CouponId = couponId, UserId = userId, Status = IssueRequestStatus.Pending, AcceptedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await row.Locator("button[data-action=redrive]").ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        var decided = await shop.WaitForIssueRequestAsync(requestId, "Issued");
        Assert.Equal(userId, decided.GetProperty("userId").GetInt64());
        await page.Context.CloseAsync();
    }

    /// <summary>Publishes as the coupon service's outbox relay would, straight onto the topic's exchange.</summary>
    private async Task PublishAsync(Guid messageId, CouponIssueRequested message)
    {
        using var http = new HttpClient();
        var resources = await http.GetFromJsonAsync<JsonElement>(new Uri(suite.Dashboard, "/api/resources"));
        var broker = new Uri(resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "messaging")
            .GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "amqp").GetProperty("url").GetString()!);
        var topic = TopicCatalog.Get(Topics.CouponIssue);
        var row = new OutboxMessage
        {
            Id = messageId,
            Topic = topic.Name,
            PartitionKey = MessageCatalog.Describe(typeof(CouponIssueRequested)).PartitionKeyOf(message),
            MessageType = typeof(CouponIssueRequested).FullName!,
            Body = JsonSerializer.Serialize(message, MessageJson.Options),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var (body, properties) = OutboxEnvelope.Create(row, OutboxEnvelope.DestinationAddress(broker, topic), null, DateTime.UtcNow);
        var factory = new ConnectionFactory { Uri = broker };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(topic.Name, row.PartitionKey!, mandatory: true, properties, body);
    }

    private CouponDbContext CouponDatabase() => new(new DbContextOptionsBuilder<CouponDbContext>()
        .UseSqlite($"Data Source={Path.Combine(suite.AppHost.DataDirectory, "coupon.db")}")
        .Options);
}
