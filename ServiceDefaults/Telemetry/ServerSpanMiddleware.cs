using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ECommerce.ServiceDefaults.Telemetry;

/// <summary>Does what the missing ASP.NET Core instrumentation package would: names the server span after the route
/// (<c>POST /api/coupons/{couponId}/issue-requests</c>) and tags method, route, path and status.</summary>
internal sealed class ServerSpanMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("server.address", request.Host.Host);
        activity.SetTag("server.port", request.Host.Port);
        // Tells the caller which trace its request started (W3C Trace Context "traceresponse"), so a client or a test can
        // follow the request into the services that consume what it published.
        context.Response.Headers["traceresponse"] = $"00-{activity.TraceId}-{activity.SpanId}-01";
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
            if (route is not null)
                activity.SetTag("http.route", route);
            var status = context.Response.StatusCode;
            activity.SetTag("http.response.status_code", status);
            if (status >= 500)
                activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
