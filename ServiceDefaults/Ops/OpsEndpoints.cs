using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.ServiceDefaults.Ops;

/// <summary>The operations API every service exposes: consumer lag, the outbox backlog and the dead-letter store.</summary>
public static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<IConsumerLagReader>() is null)
            return app;

        var ops = app.MapGroup("/ops").WithTags("Operations");
        ops.MapGet("/consumers", ConsumersAsync);
        ops.MapGet("/outbox", (OutboxRelay relay) => TypedResults.Ok(new { backlog = relay.Backlog }));
        ops.MapGet("/dead-letters", DeadLettersAsync);
        ops.MapPost("/dead-letters/redrive", RedriveAllAsync);
        ops.MapDelete("/dead-letters", DiscardAllAsync);
        ops.MapPost("/dead-letters/{id:guid}/redrive", RedriveAsync);
        ops.MapDelete("/dead-letters/{id:guid}", DiscardAsync);
        return app;
    }

    static async Task<Results<Ok<List<ConsumerLag>>, ProblemHttpResult>> ConsumersAsync(IConsumerLagReader lag, HttpContext context,
        CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await lag.ReadAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (KafkaException e)
        {
            // The lag is the broker's to tell (end offsets, commits): without it there is no answer, and no bug either.
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The broker does not answer; the lag cannot be read right now.", detail: e.Error.Reason);
        }
    }

    static async Task<Results<Ok<List<DeadLetterView>>, ValidationProblem>> DeadLettersAsync(DeadLetterService deadLetters, int? limit,
        CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take is < 1 or > 1000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["Must be between 1 and 1000."] });
        var letters = await deadLetters.ListAsync(take, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(letters.Select(l => new DeadLetterView(l.Id, l.Queue, l.MessageType, l.MessageId, l.Exception, l.FaultedAt, l.Payload)).ToList());
    }

    static async Task<Ok<RedriveAllResult>> RedriveAllAsync(DeadLetterService deadLetters, CancellationToken cancellationToken)
    {
        var (redriven, unreadable) = await deadLetters.RedriveAllAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RedriveAllResult(redriven, unreadable));
    }

    static async Task<Ok<DiscardAllResult>> DiscardAllAsync(DeadLetterService deadLetters, CancellationToken cancellationToken) =>
        TypedResults.Ok(new DiscardAllResult(await deadLetters.DiscardAllAsync(cancellationToken).ConfigureAwait(false)));

    static async Task<IResult> RedriveAsync(Guid id, DeadLetterService deadLetters, CancellationToken cancellationToken) =>
        await deadLetters.RedriveAsync(id, cancellationToken).ConfigureAwait(false) switch
        {
            RedriveResult.Redriven => TypedResults.Accepted((string?)null),
            RedriveResult.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "The message cannot be re-driven: its body is not a readable message of a known contract, or no consumer group reads it again (a data-platform log record). Discard it."),
        };

    static async Task<IResult> DiscardAsync(Guid id, DeadLetterService deadLetters, CancellationToken cancellationToken) =>
        await deadLetters.DiscardAsync(id, cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter.");
}
