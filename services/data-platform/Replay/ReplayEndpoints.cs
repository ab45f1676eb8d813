using ECommerce.DataPlatform.Data;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Replay;

public static class ReplayEndpoints
{
    public static IEndpointRouteBuilder MapReplayEndpoints(this IEndpointRouteBuilder app)
    {
        var replay = app.MapGroup("/api/replay").WithTags("Replay");
        replay.MapPost("/", RequestAsync);
        replay.MapGet("/{replayId:guid}", GetAsync);
        return app;
    }

    /// <summary>Queues a rebuild of the projections from the retained log; the instance reading the log carries it out between
    /// two batches. Follow the Location to see it complete.</summary>
    static async Task<Accepted<ReplayView>> RequestAsync(DataPlatformDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = new ReplayRequest { Id = RowId.New(), Status = ReplayStatus.Pending, RequestedAt = clock.GetUtcNow() };
        db.Replays.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/replay/{request.Id}", ReplayView.From(request));
    }

    static async Task<Results<Ok<ReplayView>, ProblemHttpResult>> GetAsync(Guid replayId, DataPlatformDbContext db, CancellationToken cancellationToken)
    {
        var request = await db.Replays.AsNoTracking().FirstOrDefaultAsync(r => r.Id == replayId, cancellationToken);
        return request is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Replay {replayId} does not exist.")
            : TypedResults.Ok(ReplayView.From(request));
    }
}
