using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;
using ECommerce.AppHost.Telemetry;
using ECommerce.AppHost.Telemetry.Otlp;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ECommerce.AppHost.Tests.Telemetry;

/// <summary>The dashboard's OTLP receiver fed by the real OpenTelemetry .NET exporter (http/protobuf), read back through the
/// telemetry API; and what it does with payloads it cannot take.</summary>
public sealed class OtlpReceiverTests
{
    [Fact]
    public async Task A_trace_exported_by_three_services_is_one_trace_with_its_parents_kinds_attributes_and_errors()
    {
        await using var receiver = await OtlpReceiverHost.StartAsync();
        var orderId = Guid.NewGuid().ToString();
        var prefix = "test." + Guid.NewGuid().ToString("N");
        // One activity source and one tracer provider per service: three services exporting from one process.
        using var orderSource = new ActivitySource(prefix + ".order");
        using var balanceSource = new ActivitySource(prefix + ".balance");
        using var couponSource = new ActivitySource(prefix + ".coupon");
        using var order = TracerFor(receiver, "order", orderSource.Name);
        using var balance = TracerFor(receiver, "balance", balanceSource.Name);
        using var coupon = TracerFor(receiver, "coupon", couponSource.Name);

        ActivityContext server, producer;
        using (var root = orderSource.StartActivity("POST /api/orders", ActivityKind.Server, default(ActivityContext)))
        {
            root!.SetTag("http.route", "/api/orders");
            root.SetTag("order.id", orderId);
            server = root.Context;
            using var publish = orderSource.StartActivity("order-commands send", ActivityKind.Producer, server);
            producer = publish!.Context;
        }

        using (var consume = balanceSource.StartActivity("balance-commands receive", ActivityKind.Consumer, producer))
        {
            consume!.SetStatus(ActivityStatusCode.Error, "insufficient balance");
            consume.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { ["exception.type"] = "InvalidOperationException" }));
        }

        using (couponSource.StartActivity("coupon-commands receive", ActivityKind.Consumer, producer))
        {
        }

        Assert.True(order.ForceFlush(10_000) && balance.ForceFlush(10_000) && coupon.ForceFlush(10_000));

        var traces = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/traces?search={orderId}");
        var summary = Assert.Single(traces.EnumerateArray());
        Assert.Equal(server.TraceId.ToHexString(), summary.GetProperty("traceId").GetString());
        Assert.Equal("POST /api/orders", summary.GetProperty("rootName").GetString());
        Assert.Equal("order", summary.GetProperty("rootService").GetString());
        Assert.Equal(["order", "balance", "coupon"], summary.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(4, summary.GetProperty("spanCount").GetInt32());
        Assert.Equal(1, summary.GetProperty("errorCount").GetInt32());

        var trace = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/traces/{server.TraceId.ToHexString()}");
        var spans = trace.GetProperty("spans").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(JsonValueKind.Null, spans["POST /api/orders"].GetProperty("parentSpanId").ValueKind);
        Assert.Equal("server", spans["POST /api/orders"].GetProperty("kind").GetString());
        Assert.Equal(orderId, spans["POST /api/orders"].GetProperty("attributes").GetProperty("order.id").GetString());
        Assert.Equal(server.SpanId.ToHexString(), spans["order-commands send"].GetProperty("parentSpanId").GetString());
        Assert.Equal("producer", spans["order-commands send"].GetProperty("kind").GetString());
        var failed = spans["balance-commands receive"];
        Assert.Equal("balance", failed.GetProperty("service").GetString());
        Assert.Equal("consumer", failed.GetProperty("kind").GetString());
        Assert.Equal(producer.SpanId.ToHexString(), failed.GetProperty("parentSpanId").GetString());
        Assert.Equal("error", failed.GetProperty("status").GetString());
        Assert.Equal("insufficient balance", failed.GetProperty("statusMessage").GetString());
        Assert.Equal("InvalidOperationException", failed.GetProperty("events")[0].GetProperty("attributes").GetProperty("exception.type").GetString());
        Assert.All(spans.Values, s => Assert.True(s.GetProperty("startOffsetMs").GetDouble() >= 0));
        Assert.Equal(0, spans["POST /api/orders"].GetProperty("startOffsetMs").GetDouble());

        using var unknown = await receiver.Http.GetAsync(new Uri($"api/telemetry/traces/{ActivityTraceId.CreateRandom().ToHexString()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Logs_keep_their_level_category_and_trace_and_are_filtered_and_tailed()
    {
        await using var receiver = await OtlpReceiverHost.StartAsync();
        var marker = Guid.NewGuid().ToString("N");
        var sourceName = "test." + marker;
        using var source = new ActivitySource(sourceName);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        string traceId;
        using (var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("logger"));
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter(e => Configure(e, receiver, "v1/logs"));
        })))
        {
            var logger = factory.CreateLogger("ECommerce.Coupon.Issuing");
            using (var activity = source.StartActivity("issue"))
            {
                traceId = activity!.TraceId.ToHexString();
                logger.LogInformation("Coupon {Marker} issued to {UserId}", marker, 42);
                logger.LogWarning("Coupon {Marker} is sold out", marker);
            }

            logger.LogDebug("debug {Marker}", marker);
        }

        var all = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/logs?search={marker}&service=logger");
        var items = all.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Information", "Warning", "Debug"], items.Select(i => i.GetProperty("level").GetString()));
        Assert.Equal($"Coupon {marker} issued to 42", items[0].GetProperty("message").GetString());
        Assert.Equal("ECommerce.Coupon.Issuing", items[0].GetProperty("category").GetString());
        Assert.Equal(traceId, items[0].GetProperty("traceId").GetString());
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("traceId").ValueKind);

        var warnings = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/logs?minLevel=Warning&search={marker}");
        Assert.Equal("Warning", Assert.Single(warnings.GetProperty("items").EnumerateArray()).GetProperty("level").GetString());
        var ofTrace = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/logs?traceId={traceId}");
        Assert.Equal(2, ofTrace.GetProperty("items").GetArrayLength());
        var after = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/logs?after={all.GetProperty("lastSequence").GetInt64()}");
        Assert.Equal(0, after.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Request_rate_and_latency_come_from_the_difference_between_two_exports()
    {
        await using var receiver = await OtlpReceiverHost.StartAsync();
        var meterName = "test." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        // The bucket boundaries ASP.NET Core advises for this instrument (seconds).
        var duration = meter.CreateHistogram(MetricsStore.RequestDuration, "s", null, null, new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
        });
        var consumed = meter.CreateCounter<long>(MetricsStore.Consumed);
        using var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("metered"))
            .AddMeter(meterName)
            .AddOtlpExporter((e, reader) =>
            {
                Configure(e, receiver, "v1/metrics");
                // Only ForceFlush exports: the test decides when the intervals end.
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue;
            })
            .Build();

        for (var i = 0; i < 100; i++)
        {
            duration.Record(0.002, new KeyValuePair<string, object?>("http.response.status_code", 200));
        }

        Assert.True(provider.ForceFlush(10_000));
        for (var i = 0; i < 50; i++)
        {
            duration.Record(0.2, new KeyValuePair<string, object?>("http.response.status_code", 200));
            duration.Record(0.3, new KeyValuePair<string, object?>("http.response.status_code", 503));
            consumed.Add(2);
        }

        Assert.True(provider.ForceFlush(10_000));
        var metrics = await receiver.Http.GetFromJsonAsync<JsonElement>("api/telemetry/metrics");
        var service = Assert.Single(metrics.GetProperty("services").EnumerateArray());
        Assert.Equal("metered", service.GetProperty("service").GetString());
        Assert.True(service.GetProperty("requestsPerSecond").GetDouble() > 0);
        Assert.True(service.GetProperty("requestErrorsPerSecond").GetDouble() > 0);
        Assert.True(service.GetProperty("messagesConsumedPerSecond").GetDouble() > 0);
        // The second interval holds only the 200-300 ms requests: its percentiles say so, not the first interval's 2 ms ones.
        var p50 = service.GetProperty("requestP50Ms").GetDouble();
        Assert.InRange(p50, 100, 300);
        Assert.InRange(service.GetProperty("requestP95Ms").GetDouble(), p50, 500);
        Assert.Equal(2, service.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Payloads_it_cannot_take_are_refused_with_4xx_and_counted_and_gzip_is_accepted()
    {
        await using var receiver = await OtlpReceiverHost.StartAsync(new Dictionary<string, string?> { ["AppHost:Telemetry:MaxRequestBytes"] = "4096" });
        var valid = TraceRequest("gz", 3).ToByteArray();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(receiver, "v1/traces", valid, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(receiver, "v1/traces", [0xff, 0xff, 0xff, 0x0f, 0x01], "application/x-protobuf"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(receiver, "v1/logs", new byte[5000], "application/x-protobuf"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(receiver, "v1/metrics", [1, 2, 3], "application/x-protobuf", gzip: true, compress: false));

        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(valid);
        }

        Assert.Equal(HttpStatusCode.OK, await PostAsync(receiver, "v1/traces", compressed.ToArray(), "application/x-protobuf", gzip: true, compress: false));
        // A gzip bomb is measured after decompression.
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(receiver, "v1/traces", new byte[100_000], "application/x-protobuf", gzip: true));

        var stats = await receiver.Http.GetFromJsonAsync<JsonElement>("api/telemetry/receiver");
        var requests = stats.GetProperty("requests");
        Assert.Equal(1, requests.GetProperty("traces").GetProperty("accepted").GetInt64());
        Assert.Equal(3, requests.GetProperty("traces").GetProperty("rejected").GetInt64());
        Assert.Equal(1, requests.GetProperty("logs").GetProperty("rejected").GetInt64());
        Assert.Equal(1, requests.GetProperty("metrics").GetProperty("rejected").GetInt64());
        Assert.Equal(3, stats.GetProperty("spans").GetInt32());
    }

    [Fact]
    public async Task A_full_store_drops_the_oldest_spans_first()
    {
        await using var receiver = await OtlpReceiverHost.StartAsync(new Dictionary<string, string?> { ["AppHost:Telemetry:MaxSpans"] = "10" });
        var first = TraceRequest("first", 6);
        var second = TraceRequest("second", 6);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(receiver, "v1/traces", first.ToByteArray(), "application/x-protobuf"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(receiver, "v1/traces", second.ToByteArray(), "application/x-protobuf"));

        var stats = await receiver.Http.GetFromJsonAsync<JsonElement>("api/telemetry/receiver");
        Assert.Equal(10, stats.GetProperty("spans").GetInt32());
        Assert.Equal(2, stats.GetProperty("spansDropped").GetInt64());
        var firstTrace = await receiver.Http.GetFromJsonAsync<JsonElement>($"api/telemetry/traces/{Convert.ToHexStringLower(first.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId.Span)}");
        var kept = firstTrace.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["first 2", "first 3", "first 4", "first 5"], kept);
    }

    [Theory]
    [InlineData("api/telemetry/traces?limit=0", "limit")]
    [InlineData("api/telemetry/logs?limit=1001", "limit")]
    [InlineData("api/telemetry/logs?minLevel=Loud", "minLevel")]
    [InlineData("api/telemetry/logs?after=-1", "after")]
    public async Task Bad_queries_are_problems_naming_the_parameter(string path, string field)
    {
        await using var receiver = await OtlpReceiverHost.StartAsync();
        using var response = await receiver.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public void Percentiles_interpolate_inside_the_bucket_and_stop_at_the_last_bound()
    {
        double[] bounds = [10, 20, 40];
        Assert.Equal(15, HistogramMath.Percentile(bounds, [0, 10, 0, 0], 0.5));
        Assert.Equal(5, HistogramMath.Percentile(bounds, [10, 0, 0, 0], 0.5));
        Assert.Equal(40, HistogramMath.Percentile(bounds, [0, 0, 0, 10], 0.99));
        Assert.Null(HistogramMath.Percentile(bounds, [0, 0, 0, 0], 0.5));
    }

    private static TracerProvider TracerFor(OtlpReceiverHost receiver, string service, string sourceName) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(service))
            .AddSource(sourceName)
            .AddOtlpExporter(e => Configure(e, receiver, "v1/traces"))
            .Build()!;

    private static void Configure(OtlpExporterOptions exporter, OtlpReceiverHost receiver, string path)
    {
        exporter.Endpoint = receiver.Signal(path);
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
    }

    private static ExportTraceServiceRequest TraceRequest(string name, int spans)
    {
        var traceId = ByteString.CopyFrom(ActivityTraceId.CreateRandom().ToHexString().Chunk(2).Select(c => Convert.ToByte(new string(c), 16)).ToArray());
        var scope = new ScopeSpans();
        for (var i = 0; i < spans; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = traceId,
                SpanId = ByteString.CopyFrom(BitConverter.GetBytes((long)i + 1)),
                Name = $"{name} {i}",
                Kind = 1,
                StartTimeUnixNano = 1_000_000_000UL + (ulong)i,
                EndTimeUnixNano = 2_000_000_000UL,
            });
        }

        var resource = new ResourceSpans { Resource = new ECommerce.AppHost.Telemetry.Otlp.Resource() };
        resource.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = name } });
        resource.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resource);
        return request;
    }

    private static async Task<HttpStatusCode> PostAsync(OtlpReceiverHost receiver, string path, byte[] body, string contentType, bool gzip = false,
        bool compress = true)
    {
        var payload = body;
        if (gzip && compress)
        {
            using var compressed = new MemoryStream();
            await using (var stream = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await stream.WriteAsync(body);
            }

            payload = compressed.ToArray();
        }

        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await receiver.Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return response.StatusCode;
    }
}
