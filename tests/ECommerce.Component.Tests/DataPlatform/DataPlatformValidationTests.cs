using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ECommerce.Component.Tests.DataPlatform;

/// <summary>Bad query input is a 400 problem naming the field; an unknown replay is a 404 problem; a replay request is a 202.</summary>
public sealed class DataPlatformValidationTests
{
    [Theory]
    [InlineData("/api/events?limit=0", "limit")]
    [InlineData("/api/events?limit=1001", "limit")]
    [InlineData("/api/events?limit=abc", "limit")]
    [InlineData("/api/events?after=-1", "after")]
    [InlineData("/api/events?topic=nope", "topic")]
    [InlineData("/api/events?topic=order-commands", "topic")]
    [InlineData("/api/stats/products/top?limit=0", "limit")]
    [InlineData("/api/stats/products/top?limit=1001", "limit")]
    [InlineData("/api/stats/products/top?limit=ten", "limit")]
    [InlineData("/api/stats/products/top?by=price", "by")]
    public async Task Bad_input_is_a_problem_naming_the_field(string uri, string field)
    {
        await using var host = await DataPlatformHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri(uri, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/events?limit=1&after=0&topic=order-completed")]
    [InlineData("/api/events?limit=1000")]
    [InlineData("/api/stats/products/top?limit=1&by=revenue")]
    [InlineData("/api/stats")]
    public async Task Good_input_is_answered(string uri)
    {
        await using var host = await DataPlatformHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri(uri, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_replay_request_is_accepted_and_an_unknown_replay_is_not_found()
    {
        await using var host = await DataPlatformHost.StartAsync();

        using var accepted = await host.Client.PostAsync(new Uri("/api/replay", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var replay = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Pending", replay.GetProperty("status").GetString());
        using var state = await host.Client.GetAsync(accepted.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);

        using var missing = await host.Client.GetAsync(new Uri($"/api/replay/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}
