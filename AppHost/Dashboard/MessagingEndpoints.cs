using System.Text.Json;
using ECommerce.AppHost.Hosting;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ECommerce.AppHost.Dashboard;

/// <summary>The topics and dead-letters pages' API: the suite's topics with their partitions, every consumer group's
/// queues with their lag (from each service's <c>/ops/consumers</c>), the outbox backlogs, and the services' dead letters,
/// with re-drive and discard passed through to the service that owns the letter.</summary>
internal static class MessagingEndpoints
{
    public static IEndpointRouteBuilder MapMessagingApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/topics", TopicsAsync);
        var letters = app.MapGroup("/api/dead-letters");
        letters.MapGet("/", DeadLettersAsync);
        letters.MapPost("/{service}/{id:guid}/redrive", (string service, Guid id, ServiceOpsClient ops, CancellationToken ct) =>
            ForwardAsync(service, HttpMethod.Post, $"ops/dead-letters/{id}/redrive", ops, ct));
        letters.MapDelete("/{service}/{id:guid}", (string service, Guid id, ServiceOpsClient ops, CancellationToken ct) =>
            ForwardAsync(service, HttpMethod.Delete, $"ops/dead-letters/{id}", ops, ct));
        return app;
    }

    private static async Task<Ok<TopicsView>> TopicsAsync(ServiceOpsClient ops, MessagingOptions options, CancellationToken cancellationToken)
    {
        var topics = TopicCatalog.All
            .Select(t => new TopicView(t.Name, t.KeyName, t.IsCommandChannel, t.IsKeyed ? options.PartitionsOf(t.Name) : 1))
            .ToList();
        var answers = await Task.WhenAll(ECommerceSuite.ServiceNames.Select(async service =>
        {
            var consumers = await ops.GetAsync(service, "ops/consumers", cancellationToken).ConfigureAwait(false);
            var outbox = await ops.GetAsync(service, "ops/outbox", cancellationToken).ConfigureAwait(false);
            return (service, consumers, outbox);
        })).ConfigureAwait(false);

        var queues = new List<JsonElement>();
        var services = new List<ServiceOpsView>();
        foreach (var (service, consumers, outbox) in answers)
        {
            if (consumers.Json is { ValueKind: JsonValueKind.Array } list)
            {
                queues.AddRange(list.EnumerateArray().Select(q => WithService(q, service)));
            }

            long? backlog = outbox.Json is { } o && o.TryGetProperty("backlog", out var b) && b.TryGetInt64(out var n) ? n : null;
            services.Add(new ServiceOpsView(service, backlog, consumers.Error ?? outbox.Error));
        }

        return TypedResults.Ok(new TopicsView(topics, queues, services));
    }

    private static async Task<Ok<DeadLettersView>> DeadLettersAsync(ServiceOpsClient ops, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(ECommerceSuite.ServiceNames.Select(async service =>
            (service, answer: await ops.GetAsync(service, "ops/dead-letters?limit=1000", cancellationToken).ConfigureAwait(false))))
            .ConfigureAwait(false);
        var letters = new List<JsonElement>();
        var services = new List<ServiceOpsView>();
        foreach (var (service, answer) in answers)
        {
            if (answer.Json is { ValueKind: JsonValueKind.Array } list)
            {
                letters.AddRange(list.EnumerateArray().Select(l => WithService(l, service)));
            }

            services.Add(new ServiceOpsView(service, null, answer.Error));
        }

        return TypedResults.Ok(new DeadLettersView(letters, services));
    }

    private static async Task<IResult> ForwardAsync(string service, HttpMethod method, string path, ServiceOpsClient ops,
        CancellationToken cancellationToken)
    {
        if (!ECommerceSuite.ServiceNames.Contains(service))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such service.",
                detail: $"'{service}' is not a service of the suite.");
        }

        var (status, contentType, body) = await ops.ForwardAsync(service, method, path, cancellationToken).ConfigureAwait(false);
        return body.Length == 0 ? TypedResults.StatusCode(status) : TypedResults.Content(body, contentType, statusCode: status);
    }

    /// <summary>The service's object with a <c>service</c> property added, so the page knows where the row came from.</summary>
    private static JsonElement WithService(JsonElement item, string service)
    {
        var copy = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            copy[property.Name] = property.Value;
        }

        copy["service"] = JsonSerializer.SerializeToElement(service);
        return JsonSerializer.SerializeToElement(copy);
    }
}
