using ECommerce.AppHost.Telemetry.Otlp;

namespace ECommerce.AppHost.Telemetry;

/// <summary>Everything the OTLP receiver keeps, and the conversion of export requests into it.</summary>
internal sealed class TelemetryStores(TelemetryLimits limits, TimeProvider clock)
{
    public TelemetryLimits Limits { get; } = limits;

    public SpanStore Spans { get; } = new(limits);

    public LogStore Logs { get; } = new(limits);

    public MetricsStore Metrics { get; } = new(limits, clock);

    public ReceiverStats Stats { get; } = new();

    public void AddTraces(ExportTraceServiceRequest request) =>
        Spans.Add(request.ResourceSpans.SelectMany(resource =>
        {
            var service = OtlpValues.ServiceOf(resource.Resource);
            return resource.ScopeSpans.SelectMany(scope => scope.Spans).Select(span => ToView(span, service));
        }).ToList());

    public void AddLogs(ExportLogsServiceRequest request) =>
        Logs.Add(request.ResourceLogs.SelectMany(resource =>
        {
            var service = OtlpValues.ServiceOf(resource.Resource);
            return resource.ScopeLogs.SelectMany(scope => scope.LogRecords.Select(record => (service, scope: scope.Scope?.Name ?? string.Empty, record)));
        }).ToList(), (item, sequence) => ToView(item.record, item.service, item.scope, sequence));

    private static SpanView ToView(Span span, string service)
    {
        var start = span.StartTimeUnixNano;
        var end = Math.Max(span.EndTimeUnixNano, start);
        var events = span.Events.Select(e => new SpanEventView(e.Name, OtlpValues.Time(e.TimeUnixNano), OtlpValues.Attributes(e.Attributes))).ToList();
        return new SpanView(OtlpValues.Hex(span.SpanId), span.ParentSpanId.IsEmpty ? null : OtlpValues.Hex(span.ParentSpanId), span.Name, service,
            OtlpValues.Kind(span.Kind), OtlpValues.Time(start), 0, (end - start) / 1e6, OtlpValues.Status(span.Status?.Code ?? 0),
            string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message, OtlpValues.Attributes(span.Attributes), events)
        {
            TraceId = OtlpValues.Hex(span.TraceId),
            StartNanos = start,
        };
    }

    private static LogView ToView(LogRecord record, string service, string category, long sequence)
    {
        var attributes = OtlpValues.Attributes(record.Attributes);
        var message = OtlpValues.Text(record.Body);
        if (message.Length == 0 && attributes.TryGetValue("{OriginalFormat}", out var format))
        {
            message = format;
        }

        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        return new LogView(sequence, OtlpValues.Time(time), service, OtlpValues.Level(record.SeverityNumber), category, message,
            record.TraceId.IsEmpty ? null : OtlpValues.Hex(record.TraceId), record.SpanId.IsEmpty ? null : OtlpValues.Hex(record.SpanId), attributes)
        {
            SearchText = message + "\n" + category + "\n" + string.Join("\n", attributes.Values),
        };
    }
}
