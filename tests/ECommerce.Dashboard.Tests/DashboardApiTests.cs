using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace ECommerce.Dashboard.Tests;

/// <summary>The dashboard's JSON API and its guard, over HTTP.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardApiTests(DashboardSuite suite, ITestOutputHelper output)
{
    private static readonly string[] Resources = ["messaging", "order", "coupon", "balance", "data-platform"];

    [Fact]
    public async Task Resources_are_listed_with_state_pid_and_endpoints()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        var resources = await http.GetFromJsonAsync<JsonElement>("/api/resources");
        var names = resources.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Equal(Resources, names);
        foreach (var resource in resources.EnumerateArray())
        {
            Assert.Equal("Healthy", resource.GetProperty("state").GetString());
            Assert.True(resource.GetProperty("pid").GetInt32() > 0);
            Assert.NotEqual(0, resource.GetProperty("endpoints").GetArrayLength());
        }
    }

    [Fact]
    public async Task Console_lines_are_tailed_after_a_sequence_and_searched()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        var all = await http.GetFromJsonAsync<JsonElement>("/api/resources/coupon/console");
        var items = all.GetProperty("items");
        Assert.True(items.GetArrayLength() > 0);
        var last = all.GetProperty("lastSequence").GetInt64();
        Assert.Equal(items[items.GetArrayLength() - 1].GetProperty("sequence").GetInt64(), last);

        var after = await http.GetFromJsonAsync<JsonElement>($"/api/resources/coupon/console?after={last}");
        Assert.All(after.GetProperty("items").EnumerateArray(), l => Assert.True(l.GetProperty("sequence").GetInt64() > last));

        var firstText = items[0].GetProperty("text").GetString()!;
        var term = firstText.Trim().Split(' ')[0];
        var searched = await http.GetFromJsonAsync<JsonElement>($"/api/resources/coupon/console?search={Uri.EscapeDataString(term)}");
        Assert.NotEqual(0, searched.GetProperty("items").GetArrayLength());
        Assert.All(searched.GetProperty("items").EnumerateArray(),
            l => Assert.Contains(term, l.GetProperty("text").GetString()!, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("/api/resources/nothing/console", HttpStatusCode.NotFound, null)]
    [InlineData("/api/resources/coupon/console?limit=0", HttpStatusCode.BadRequest, "limit")]
    [InlineData("/api/resources/coupon/console?after=-1", HttpStatusCode.BadRequest, "after")]
    public async Task Bad_console_requests_are_problems(string path, HttpStatusCode status, string? field)
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Restarting_infrastructure_is_refused_and_unknown_resources_are_not_found()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        using var broker = await http.PostAsync(new Uri("/api/resources/messaging/restart", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, broker.StatusCode);
        using var unknown = await http.PostAsync(new Uri("/api/resources/nothing/restart", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Topics_show_every_partition_queue_of_each_group_with_its_lag()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        var view = await http.GetFromJsonAsync<JsonElement>("/api/topics");
        var topics = view.GetProperty("topics").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("partitions").GetInt32());
        Assert.Equal(4, topics["coupon-issue"]);
        Assert.Equal(1, topics["order-completed"]);
        var couponQueues = view.GetProperty("queues").EnumerateArray()
            .Where(q => q.GetProperty("service").GetString() == "coupon" && q.GetProperty("topic").GetString() == "coupon-issue").ToList();
        Assert.Equal([0, 1, 2, 3], couponQueues.Select(q => q.GetProperty("partition").GetInt32()).Order());
        Assert.All(couponQueues, q => Assert.True(q.GetProperty("ready").ValueKind == JsonValueKind.Number));
        var services = view.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal(4, services.Count);
        Assert.All(services, s => Assert.Equal(JsonValueKind.Null, s.GetProperty("error").ValueKind));
    }

    [Fact]
    public async Task Dead_letter_actions_for_unknown_services_or_letters_are_not_found()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        using var service = await http.PostAsync(new Uri($"/api/dead-letters/nothing/{Guid.NewGuid()}/redrive", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, service.StatusCode);
        using var letter = await http.PostAsync(new Uri($"/api/dead-letters/coupon/{Guid.NewGuid()}/redrive", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, letter.StatusCode);
        using var discard = await http.DeleteAsync(new Uri($"/api/dead-letters/balance/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, discard.StatusCode);
    }

    [Fact]
    public async Task Requests_for_another_host_or_changes_from_another_origin_are_refused()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/resources"))
        {
            rebound.Headers.Host = "attacker.example";
            using var response = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var crossSite = new HttpRequestMessage(HttpMethod.Delete, $"/api/dead-letters/coupon/{Guid.NewGuid()}"))
        {
            crossSite.Headers.Add("Origin", "http://attacker.example");
            using var response = await http.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_from_the_apphost_with_etags()
    {
        using var http = new HttpClient { BaseAddress = suite.Dashboard };
        using var index = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var html = await index.Content.ReadAsStringAsync();
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        foreach (var asset in new[] { "/assets/app.js", "/assets/app.css" })
        {
            using var first = await http.GetAsync(new Uri(asset, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            using var again = new HttpRequestMessage(HttpMethod.Get, asset);
            again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var second = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        }

        using var missing = await http.GetAsync(new Uri("/assets/nothing.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        output.WriteLine($"dashboard at {suite.Dashboard}");
    }
}
