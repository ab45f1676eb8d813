using ECommerce.AppHost.Hosting;
using ECommerce.AppHost.Hosting.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace ECommerce.AppHost.Dashboard;

/// <summary>The resources page's API: every resource's snapshot, its console lines (for a live tail: the lines after the
/// last one seen), and restarting a service.</summary>
internal static class ResourceEndpoints
{
    private const int MaxConsoleLines = 5000;

    public static IEndpointRouteBuilder MapResourceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/resources");
        api.MapGet("/", (ResourceRegistry registry) => TypedResults.Ok(registry.GetSnapshots()));
        api.MapGet("/{name}/console", Console);
        api.MapPost("/{name}/restart", Restart);
        return app;
    }

    private static Results<Ok<ConsoleLines>, ProblemHttpResult, ValidationProblem> Console(string name, ResourceRegistry registry,
        long? after, string? search, int? limit)
    {
        var take = limit ?? 1000;
        if (take is < 1 or > MaxConsoleLines)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Must be between 1 and {MaxConsoleLines}."] });
        }

        if (after is < 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["Must not be negative."] });
        }

        if (registry.GetSnapshot(name) is null)
        {
            return NotFound(name);
        }

        var lines = registry.GetLogs(name, after ?? 0);
        var last = lines.Count > 0 ? lines[^1].Sequence : after ?? 0;
        IEnumerable<ResourceLogLine> matching = lines;
        if (!string.IsNullOrEmpty(search))
        {
            matching = matching.Where(line => line.Text.Contains(search, StringComparison.OrdinalIgnoreCase));
        }

        return TypedResults.Ok(new ConsoleLines(matching.TakeLast(take).ToList(), last));
    }

    private static Results<Accepted, ProblemHttpResult> Restart(string name,
        ResourceRegistry registry, AppModel model, Orchestrator orchestrator, ConsoleReporter reporter, IHostApplicationLifetime lifetime)
    {
        if (registry.GetSnapshot(name) is null)
        {
            return NotFound(name);
        }

        if (model.Resources.FirstOrDefault(r => r.Name == name) is not ProjectResource)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Only services can be restarted.",
                detail: $"'{name}' is infrastructure the services depend on.");
        }

        // The restart outlives the request (it waits for the service to be healthy again); the page follows it live.
        _ = Task.Run(async () =>
        {
            try
            {
                await orchestrator.RestartResourceAsync(name, lifetime.ApplicationStopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                reporter.Error($"restarting {name} failed: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                // The AppHost is stopping, and stops the service anyway.
            }
        });
        return TypedResults.Accepted((string?)null);
    }

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such resource.", detail: $"There is no resource named '{name}'.");
}
