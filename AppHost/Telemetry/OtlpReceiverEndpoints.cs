using System.IO.Compression;
using ECommerce.AppHost.Telemetry.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace ECommerce.AppHost.Telemetry;

/// <summary>OTLP/HTTP with binary protobuf (<c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>): <c>POST /v1/traces</c>,
/// <c>/v1/logs</c>, <c>/v1/metrics</c>, optionally gzip-compressed. A payload the receiver cannot take is answered with a
/// 4xx and counted, never with a 500: 415 for another content type (OTLP/JSON is not served), 413 above the size limit,
/// 400 for bytes that are not the message.</summary>
public static class OtlpReceiverEndpoints
{
    private const string Protobuf = "application/x-protobuf";

    public static IEndpointRouteBuilder MapOtlpReceiver(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/v1/traces", (HttpContext context, TelemetryStores stores) =>
            ReceiveAsync(context, stores, OtlpSignal.Traces, ExportTraceServiceRequest.Parser, stores.AddTraces, new ExportTraceServiceResponse()));
        app.MapPost("/v1/logs", (HttpContext context, TelemetryStores stores) =>
            ReceiveAsync(context, stores, OtlpSignal.Logs, ExportLogsServiceRequest.Parser, stores.AddLogs, new ExportLogsServiceResponse()));
        app.MapPost("/v1/metrics", (HttpContext context, TelemetryStores stores) =>
            ReceiveAsync(context, stores, OtlpSignal.Metrics, ExportMetricsServiceRequest.Parser, stores.Metrics.Add, new ExportMetricsServiceResponse()));
        return app;
    }

    private static async Task<IResult> ReceiveAsync<TRequest>(HttpContext context, TelemetryStores stores, OtlpSignal signal,
        MessageParser<TRequest> parser, Action<TRequest> store, IMessage response)
        where TRequest : IMessage<TRequest>
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals(Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(stores, signal, StatusCodes.Status415UnsupportedMediaType, $"OTLP over HTTP is accepted as {Protobuf} only.");
        }

        var limit = stores.Limits.MaxRequestBytes;
        if (request.ContentLength > limit)
        {
            return Refuse(stores, signal, StatusCodes.Status413PayloadTooLarge, $"Export requests are limited to {limit} bytes.");
        }

        byte[] body;
        try
        {
            var gzip = request.Headers.ContentEncoding.ToString().Equals("gzip", StringComparison.OrdinalIgnoreCase);
            await using var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
            body = await ReadUpToAsync(source, limit, context.RequestAborted).ConfigureAwait(false) ?? [];
            if (body.Length > limit)
            {
                return Refuse(stores, signal, StatusCodes.Status413PayloadTooLarge, $"Export requests are limited to {limit} bytes.");
            }
        }
        catch (InvalidDataException e)
        {
            return Refuse(stores, signal, StatusCodes.Status400BadRequest, "The body is not valid gzip: " + e.Message);
        }

        TRequest message;
        try
        {
            message = parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Refuse(stores, signal, StatusCodes.Status400BadRequest, $"The body is not an OTLP {signal} export request: {e.Message}");
        }

        store(message);
        stores.Stats.Accepted(signal);
        return Results.Bytes(response.ToByteArray(), Protobuf);
    }

    /// <summary>The stream's bytes, at most <paramref name="limit"/> + 1 of them (one more than allowed says it was too big).</summary>
    private static async Task<byte[]?> ReadUpToAsync(Stream source, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                break;
            }
        }

        return buffer.ToArray();
    }

    private static IResult Refuse(TelemetryStores stores, OtlpSignal signal, int status, string detail)
    {
        stores.Stats.Rejected(signal);
        return TypedResults.Problem(statusCode: status, title: "The export request was refused.", detail: detail);
    }
}
