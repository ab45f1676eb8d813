using System.Text.Json;
using ECommerce.Contracts.Topology;
using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Http;
using ECommerce.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Events;

public static class EventEndpoints
{
    public const int MaxLimit = 1000;
    const int DefaultLimit = 100;

    static readonly string[] DomainTopics = TopicCatalog.All.Where(t => !t.IsCommandChannel).Select(t => t.Name).ToArray();

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", ListAsync).WithTags("Events");
        return app;
    }

    /// <summary>The event log, oldest first. <c>after</c> is the <c>sequence</c> of the last event a client has seen: the next
    /// page starts after it.</summary>
    static async Task<Results<Ok<List<EventView>>, ValidationProblem>> ListAsync(DataPlatformDbContext db, string? topic, string? limit, string? after,
        CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .Require(topic is null || DomainTopics.Contains(topic, StringComparer.Ordinal), "topic",
                $"Unknown topic: one of {string.Join(", ", DomainTopics)}.");
        var take = validation.Integer(limit, "limit", 1, MaxLimit) ?? DefaultLimit;
        var position = validation.Integer(after, "after", 0, long.MaxValue) ?? 0;
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var query = db.Events.AsNoTracking().Where(e => e.Sequence > position);
        if (topic is not null)
            query = query.Where(e => e.Topic == topic);
        var rows = await query.OrderBy(e => e.Sequence).Take((int)take).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(e => new EventView(e.Sequence, e.MessageId, e.Topic, e.Partition, e.Offset, e.PartitionKey, e.MessageType,
            JsonSerializer.Deserialize<JsonElement>(e.Payload), e.TraceId, e.SentAt, e.IngestedAt)).ToList());
    }
}
