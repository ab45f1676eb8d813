using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Http;

/// <summary>The HTTP defaults every service gets from ServiceDefaults, checked on the real coupon service.</summary>
public sealed class CouponHttpTests
{
    static readonly CancellationToken Snapshot = new(canceled: true);

    [Fact]
    public async Task HostUsesItsOwnDatabaseAndTheInMemoryTransport()
    {
        await using var service = new CouponServiceFactory();
        await service.StartAsync();

        var connection = service.Services.GetRequiredService<DatabaseConnection>();
        Assert.Equal(DatabaseProvider.Sqlite, connection.Provider);
        Assert.Contains(service.DatabasePath, connection.ConnectionString, StringComparison.Ordinal);
        Assert.True(File.Exists(service.DatabasePath));
    }

    [Fact]
    public async Task HealthAliveAndOpenApiAnswer()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));
        using var openApi = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.Equal("application/json", openApi.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await openApi.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/coupons", out _), "the coupon endpoints are documented");
        Assert.True(paths.TryGetProperty("/ops/dead-letters", out _), "the ops endpoints are documented");
    }

    [Theory]
    [InlineData("""{"name":"Spring","discountAmount":"abc","totalQuantity":10}""", "discountAmount")]
    [InlineData("""{"name":"Spring","discountAmount":5,"totalQuantity":1.5}""", "totalQuantity")]
    [InlineData("""{"name":["Spring"],"discountAmount":5,"totalQuantity":10}""", "name")]
    public async Task UnreadableValueIsA400ProblemNamingTheField(string body, string field)
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();

        using var response = await PostJsonAsync(client, "/api/coupons", body);

        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
    }

    [Fact]
    public async Task MalformedJsonIsA400ProblemNotAServerError()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();

        using var truncated = await PostJsonAsync(client, "/api/coupons", """{"name":"Spring","discountAmount":""");
        using var empty = await PostJsonAsync(client, "/api/coupons", "");

        Assert.True((await ReadProblemAsync(truncated, HttpStatusCode.BadRequest)).TryGetProperty("errors", out _));
        await ReadProblemAsync(empty, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InvalidValuesAreA400ProblemNamingEveryField()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();

        using var response = await PostJsonAsync(client, "/api/coupons", """{"name":" ","discountAmount":1.234,"totalQuantity":0}""");

        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["discountAmount", "name", "totalQuantity"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("2 fraction digits", errors.GetProperty("discountAmount")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await service.InScopeAsync(db => OutboxHistory.Rows(db).ToListAsync()));
    }

    [Fact]
    public async Task UnknownCouponIsA404Problem()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();

        using var response = await client.GetAsync(new Uri($"/api/coupons/{Guid.NewGuid()}", UriKind.Relative));

        var problem = await ReadProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task CreatedCouponIsReturnedAndCouponCreatedIsPublishedWithItsOutboxRowId()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();

        using var response = await PostJsonAsync(client, "/api/coupons", """{"name":"Spring","discountAmount":5.50,"totalQuantity":100}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var coupon = await response.Content.ReadFromJsonAsync<JsonElement>();
        var couponId = coupon.GetProperty("id").GetGuid();
        Assert.Equal($"/api/coupons/{couponId}", response.Headers.Location?.OriginalString);
        Assert.Equal("Spring", coupon.GetProperty("name").GetString());
        Assert.Equal(5.50m, coupon.GetProperty("discountAmount").GetDecimal());
        Assert.Equal(100, coupon.GetProperty("totalQuantity").GetInt32());
        Assert.Equal(0, coupon.GetProperty("issuedQuantity").GetInt32());
        Assert.Equal(100, coupon.GetProperty("remainingQuantity").GetInt32());

        await Eventually.UntilAsync(() => service.InScopeAsync(db => db.OutboxMessages.AsNoTracking().CountAsync()), n => n == 0,
            "the CouponCreated outbox row to be published and deleted");
        var harness = service.Services.GetRequiredService<ITestHarness>();
        var published = Assert.Single(harness.Sent.Select<CouponCreated>(x => x.Context.Message.CouponId == couponId, Snapshot));
        Assert.Equal(new CouponCreated(couponId, "Spring", 5.50m, 100, published.Context.Message.CreatedAt), published.Context.Message);
        Assert.Equal(Topics.CouponIssue, published.Context.Headers.Get<string>(OutboxPublisher.TopicHeader));
        Assert.Equal(couponId.ToString(), published.Context.Headers.Get<string>(OutboxPublisher.PartitionKeyHeader));

        var sent = Assert.Single(service.Tap.SentWithId(published.Context.MessageId!.Value));
        Assert.Equal(typeof(CouponCreated), sent.MessageType);
        Assert.Equal(Topics.CouponIssue, sent.DestinationAddress?.AbsolutePath.TrimEnd('/').Split('/')[^1]);

        using var fetched = await client.GetAsync(new Uri($"/api/coupons/{couponId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(couponId, (await fetched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task OpsEndpointsListAndDiscardDeadLettersAndReportUnknownIds()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var stored = new DeadLetter
        {
            Id = NewId.NextGuid(),
            Queue = "coupon.coupon-issue",
            MessageType = MessageUrn.ForTypeString<CouponCreated>(),
            MessageId = Guid.NewGuid(),
            Exception = "System.InvalidOperationException: boom",
            FaultedAt = DateTimeOffset.UtcNow,
            Payload = "{}",
        };
        await service.InScopeAsync(db =>
        {
            db.DeadLetters.Add(stored);
            return db.SaveChangesAsync();
        });

        using var consumers = await client.GetAsync(new Uri("/ops/consumers", UriKind.Relative));
        var letters = await client.GetFromJsonAsync<JsonElement>(new Uri("/ops/dead-letters", UriKind.Relative));
        using var badLimit = await client.GetAsync(new Uri("/ops/dead-letters?limit=0", UriKind.Relative));
        using var unreadable = await client.PostAsync(new Uri($"/ops/dead-letters/{stored.Id}/redrive", UriKind.Relative), null);
        using var discarded = await client.DeleteAsync(new Uri($"/ops/dead-letters/{stored.Id}", UriKind.Relative));
        using var discardedAgain = await client.DeleteAsync(new Uri($"/ops/dead-letters/{stored.Id}", UriKind.Relative));
        using var unknownRedrive = await client.PostAsync(new Uri($"/ops/dead-letters/{Guid.NewGuid()}/redrive", UriKind.Relative), null);
        var afterwards = await client.GetFromJsonAsync<JsonElement>(new Uri("/ops/dead-letters", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, consumers.StatusCode);
        var letter = Assert.Single(letters.EnumerateArray());
        Assert.Equal(stored.Id, letter.GetProperty("id").GetGuid());
        Assert.Equal("coupon.coupon-issue", letter.GetProperty("queue").GetString());
        Assert.Equal(stored.MessageId, letter.GetProperty("messageId").GetGuid());
        Assert.Equal("System.InvalidOperationException: boom", letter.GetProperty("exception").GetString());
        Assert.True((await ReadProblemAsync(badLimit, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("limit", out _));
        // "{}" is no message envelope: it can only be discarded.
        await ReadProblemAsync(unreadable, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        await ReadProblemAsync(discardedAgain, HttpStatusCode.NotFound);
        await ReadProblemAsync(unknownRedrive, HttpStatusCode.NotFound);
        Assert.Empty(afterwards.EnumerateArray());
    }

    static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _), $"a problem has a title: {body}");
        return problem;
    }
}
