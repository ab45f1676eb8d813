using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ECommerce.ServiceDefaults.Http;

/// <summary>Turns a request the framework could not read (malformed JSON, a value of the wrong type, a missing body) into a
/// 400 validation problem that names the field, instead of the 500 an unhandled exception would be.</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
            return false;

        var json = FindJsonException(badRequest);
        var field = FieldOf(json?.Path) ?? "body";
        var message = json is null ? badRequest.Message : "The value is not valid JSON of the expected type.";
        httpContext.Response.StatusCode = badRequest.StatusCode;
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = badRequest.StatusCode,
            Title = "The request could not be read.",
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception })
            .ConfigureAwait(false);
    }

    static JsonException? FindJsonException(Exception exception)
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is JsonException json)
                return json;
        }

        return null;
    }

    /// <summary><c>$.items[2].quantity</c> → <c>items[2].quantity</c>.</summary>
    static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return null;
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }
}
