using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ECommerce.AppHost.Dashboard;

/// <summary>Binding to 127.0.0.1 keeps other machines out, not other web pages: a page on any site can make the browser
/// send requests to localhost, and DNS rebinding lets it read the answers. So a request must name this dashboard as its
/// Host, and a browser request that changes something (re-drive, discard, restart) must come from a dashboard page.
/// Exporters send no Origin and pass.</summary>
internal sealed class LocalRequestGuard(RequestDelegate next, int port)
{
    private readonly string[] hosts =
    [
        string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"),
        string.Create(CultureInfo.InvariantCulture, $"localhost:{port}"),
    ];

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host.Value;
        if (host is null || !hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return Refuse(context, "The dashboard answers only to requests addressed to 127.0.0.1 or localhost.");
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && origin.Length > 0
            && !hosts.Any(h => string.Equals(origin, "http://" + h, StringComparison.OrdinalIgnoreCase)))
        {
            return Refuse(context, "Changes are accepted only from the dashboard's own pages.");
        }

        return next(context);
    }

    private static Task Refuse(HttpContext context, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsJsonAsync(new { title = "Forbidden", status = 403, detail }, (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json");
    }
}
