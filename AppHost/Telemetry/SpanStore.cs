namespace ECommerce.AppHost.Telemetry;

/// <summary>The spans received, grouped by trace, at most <see cref="TelemetryLimits.MaxSpans"/> of them: the oldest span
/// received is dropped first. Thread-safe.</summary>
internal sealed class SpanStore(TelemetryLimits limits)
{
    private readonly Lock gate = new();
    private readonly Queue<SpanView> arrival = new();
    private readonly Dictionary<string, List<SpanView>> traces = new(StringComparer.Ordinal);

    public long Dropped { get; private set; }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return arrival.Count;
            }
        }
    }

    public void Add(IEnumerable<SpanView> spans)
    {
        lock (gate)
        {
            foreach (var span in spans)
            {
                if (arrival.Count >= limits.MaxSpans)
                {
                    var oldest = arrival.Dequeue();
                    var trace = traces[oldest.TraceId];
                    trace.Remove(oldest);
                    if (trace.Count == 0)
                    {
                        traces.Remove(oldest.TraceId);
                    }

                    Dropped++;
                }

                arrival.Enqueue(span);
                if (!traces.TryGetValue(span.TraceId, out var list))
                {
                    traces[span.TraceId] = list = [];
                }

                list.Add(span);
            }
        }
    }

    /// <summary>The traces that have a span of <paramref name="service"/>, a span name or attribute value containing
    /// <paramref name="search"/>, and (with <paramref name="errorsOnly"/>) an error; newest first.</summary>
    public IReadOnlyList<TraceSummary> List(string? service, string? search, bool errorsOnly, int limit)
    {
        List<List<SpanView>> candidates;
        lock (gate)
        {
            candidates = traces.Values.Select(t => t.ToList()).ToList();
        }

        return candidates
            .Where(spans => string.IsNullOrEmpty(service) || spans.Any(s => s.Service == service))
            .Where(spans => string.IsNullOrEmpty(search) || spans.Any(s => Matches(s, search)))
            .Select(Summarize)
            .Where(t => !errorsOnly || t.ErrorCount > 0)
            .OrderByDescending(t => t.StartTime)
            .Take(limit)
            .ToList();
    }

    public TraceView? Get(string traceId)
    {
        List<SpanView> spans;
        lock (gate)
        {
            if (!traces.TryGetValue(traceId, out var list))
            {
                return null;
            }

            spans = list.ToList();
        }

        var start = spans.Min(s => s.StartNanos);
        var ordered = spans.OrderBy(s => s.StartNanos)
            .Select(s => s with { StartOffsetMs = (s.StartNanos - start) / 1e6 })
            .ToList();
        return new TraceView(traceId, ordered[0].StartTime, DurationOf(spans, start), ordered);
    }

    private static TraceSummary Summarize(List<SpanView> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var start = spans.Min(s => s.StartNanos);
        // The root is the span without a parent; until it arrives, the earliest span whose parent is not here stands in.
        var root = spans.Where(s => s.ParentSpanId is null).MinBy(s => s.StartNanos)
            ?? spans.Where(s => !ids.Contains(s.ParentSpanId!)).MinBy(s => s.StartNanos)
            ?? spans.MinBy(s => s.StartNanos)!;
        var services = spans.OrderBy(s => s.StartNanos).Select(s => s.Service).Distinct(StringComparer.Ordinal).ToList();
        return new TraceSummary(root.TraceId, root.Name, root.Service, services, spans.First(s => s.StartNanos == start).StartTime,
            DurationOf(spans, start), spans.Count, spans.Count(s => s.Status == "error"));
    }

    private static double DurationOf(List<SpanView> spans, ulong start) =>
        spans.Max(s => (s.StartNanos - start) / 1e6 + s.DurationMs);

    private static bool Matches(SpanView span, string search) =>
        span.Name.Contains(search, StringComparison.OrdinalIgnoreCase)
        || span.Attributes.Values.Any(v => v.Contains(search, StringComparison.OrdinalIgnoreCase));
}
