using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace ECommerce.AppHost.Dashboard;

/// <summary>The dashboard's page, script and stylesheet, embedded in the AppHost assembly: nothing to deploy beside it and
/// nothing fetched from a CDN (the suite must work offline). Served with an ETag so a reload costs a 304.</summary>
internal static class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    public static IEndpointRouteBuilder MapDashboardAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet("/assets/{file}", (HttpContext context, string file) => Serve(context, file));
        return app;
    }

    private static IResult Serve(HttpContext context, string file)
    {
        if (!Assets.Value.TryGetValue(file, out var asset))
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        // The pages must not be framed by another site (clickjacking the re-drive and discard buttons).
        context.Response.Headers["X-Frame-Options"] = "DENY";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var file = name[ResourcePrefix.Length..];
            var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            var etag = new EntityTagHeaderValue('"' + Convert.ToHexString(SHA256.HashData(content))[..16] + '"').ToString();
            assets[file] = new Asset(content, contentType, etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
