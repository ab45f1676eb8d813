using System.Text.Json;
using ECommerce.Contracts.Topology;
using ECommerce.DataPlatform.Data;
using ECommerce.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Events;

public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", ListAsync).WithTags("Events");
        return app;
    }

    static async Task<Results<Ok<List<EventView>>, ValidationProblem>> ListAsync(DataPlatformDbContext db, string? topic, int? limit, long? after,
        CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .Require(topic is null || TopicCatalog.All.Any(t => t.Name == topic), "topic", "Unknown topic.")
            .Require(limit is null or (>= 1 and <= 1000), "limit", "Must be between 1 and 1000.")
            .Require(after is null or >= 0, "after", "Must be a sequence number, 0 or more.");
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var query = db.Events.AsNoTracking().Where(e => e.Sequence > (after ?? 0));
        if (topic is not null)
            query = query.Where(e => e.Topic == topic);
        var rows = await query.OrderBy(e => e.Sequence).Take(limit ?? 100).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(e => new EventView(e.Sequence, e.MessageId, e.Topic, e.PartitionKey, e.MessageType,
            JsonSerializer.Deserialize<JsonElement>(e.Payload), e.TraceId, e.IngestedAt)).ToList());
    }
}
