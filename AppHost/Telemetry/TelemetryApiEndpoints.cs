using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ECommerce.AppHost.Telemetry;

/// <summary>The dashboard's read API over what the OTLP receiver keeps: traces, one trace, structured logs, metrics and the
/// receiver's own counts. Bad query parameters are 400 problems naming the parameter; an unknown trace is a 404.</summary>
public static class TelemetryApiEndpoints
{
    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/telemetry");
        api.MapGet("/traces", Traces);
        api.MapGet("/traces/{traceId}", Trace);
        api.MapGet("/logs", Logs);
        api.MapGet("/metrics", (TelemetryStores stores) => TypedResults.Ok(stores.Metrics.View()));
        api.MapGet("/receiver", Receiver);
        return app;
    }

    private static Results<Ok<IReadOnlyList<TraceSummary>>, ValidationProblem> Traces(TelemetryStores stores, string? service, string? search,
        bool? errorsOnly, int? limit)
    {
        var take = limit ?? 100;
        return take is < 1 or > 1000
            ? Invalid("limit", "Must be between 1 and 1000.")
            : TypedResults.Ok(stores.Spans.List(service, search, errorsOnly ?? false, take));
    }

    private static Results<Ok<TraceView>, ProblemHttpResult> Trace(TelemetryStores stores, string traceId) =>
        stores.Spans.Get(traceId.ToLowerInvariant()) is { } trace
            ? TypedResults.Ok(trace)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such trace.",
                detail: $"The dashboard holds no span of trace '{traceId}' (it may have been dropped to make room).");

    private static Results<Ok<LogsPage>, ValidationProblem> Logs(TelemetryStores stores, string? service, string? minLevel, string? traceId,
        string? search, long? after, int? limit)
    {
        var take = limit ?? 200;
        if (take is < 1 or > 1000)
        {
            return Invalid("limit", "Must be between 1 and 1000.");
        }

        if (after is < 0)
        {
            return Invalid("after", "Must not be negative.");
        }

        var level = LogLevelName.Trace;
        if (!string.IsNullOrEmpty(minLevel) && (!Enum.TryParse(minLevel, ignoreCase: true, out level) || !Enum.IsDefined(level)))
        {
            return Invalid("minLevel", $"Must be one of {string.Join(", ", Enum.GetNames<LogLevelName>())}.");
        }

        return TypedResults.Ok(stores.Logs.Query(service, level, traceId, search, after ?? 0, take));
    }

    private static Ok<ReceiverView> Receiver(TelemetryStores stores) => TypedResults.Ok(new ReceiverView(
        Enum.GetValues<OtlpSignal>().ToDictionary(s => s.ToString().ToLowerInvariant(), s => new SignalCounts(stores.Stats.AcceptedOf(s), stores.Stats.RejectedOf(s))),
        stores.Spans.Count, stores.Spans.Dropped, stores.Logs.Count, stores.Logs.Dropped, stores.Limits));

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
