using ECommerce.AppHost.Telemetry.Otlp;

namespace ECommerce.AppHost.Telemetry;

/// <summary>Turns the services' metric exports into the dashboard's figures: HTTP requests per second, 5xx per second and
/// latency percentiles (ASP.NET Core's <c>http.server.request.duration</c>), messages consumed per second (MassTransit's
/// <c>messaging.masstransit.consume</c>) and the outbox backlog (<c>ecommerce.outbox.backlog</c>). The .NET exporter sends
/// cumulative sums; rates come from the difference between an instance's consecutive exports, and a series whose start
/// time changes (the process restarted) starts over instead of going negative. Delta temporality is taken as it comes.</summary>
internal sealed class MetricsStore(TelemetryLimits limits, TimeProvider clock)
{
    public const string RequestDuration = "http.server.request.duration";
    public const string Consumed = "messaging.masstransit.consume";
    public const string OutboxBacklog = "ecommerce.outbox.backlog";

    /// <summary>An instance that has not exported for this long no longer counts towards its service's current figures.</summary>
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Instance> instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<MetricsPoint>> history = new(StringComparer.Ordinal);

    public void Add(ExportMetricsServiceRequest request)
    {
        lock (gate)
        {
            foreach (var resource in request.ResourceMetrics)
            {
                var service = OtlpValues.ServiceOf(resource.Resource);
                var key = service + "\n" + OtlpValues.InstanceOf(resource.Resource);
                if (!instances.TryGetValue(key, out var instance))
                {
                    instances[key] = instance = new Instance(service);
                }

                instance.Apply(resource.ScopeMetrics.SelectMany(s => s.Metrics).ToList(), clock.GetUtcNow());
                if (!history.TryGetValue(service, out var points))
                {
                    history[service] = points = new Queue<MetricsPoint>();
                }

                var current = Current(service);
                if (points.Count >= limits.MetricHistory)
                {
                    points.Dequeue();
                }

                points.Enqueue(new MetricsPoint(current.UpdatedAt, current.RequestsPerSecond, current.RequestP95Ms,
                    current.MessagesConsumedPerSecond, current.OutboxBacklog));
            }
        }
    }

    public MetricsView View()
    {
        lock (gate)
        {
            return new MetricsView(history.Keys.Order(StringComparer.Ordinal).Select(Current).ToList());
        }
    }

    private ServiceMetricsView Current(string service)
    {
        var now = clock.GetUtcNow();
        var live = instances.Values.Where(i => i.Service == service && now - i.ReceivedAt <= Stale).ToList();
        var figures = live.Select(i => i.Latest).ToList();
        double? Sum(Func<Figures, double?> field) =>
            figures.Select(field).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Sum() is var sum && double.IsNaN(sum) ? null : sum;

        var withBuckets = figures.Where(f => f.Bounds is not null).ToList();
        double? p50 = null, p95 = null;
        if (withBuckets.Count > 0)
        {
            var bounds = withBuckets[0].Bounds!;
            var counts = new double[bounds.Count + 1];
            foreach (var f in withBuckets.Where(f => f.Bounds!.SequenceEqual(bounds)))
            {
                for (var i = 0; i < counts.Length && i < f.BucketDeltas!.Count; i++)
                {
                    counts[i] += f.BucketDeltas[i];
                }
            }

            p50 = HistogramMath.Percentile(bounds, counts, 0.50) * 1000;
            p95 = HistogramMath.Percentile(bounds, counts, 0.95) * 1000;
        }

        var points = history.TryGetValue(service, out var queue) ? queue.ToList() : [];
        var updated = live.Count > 0 ? live.Max(i => i.ReceivedAt) : instances.Values.Where(i => i.Service == service).Max(i => i.ReceivedAt);
        return new ServiceMetricsView(service, updated, Sum(f => f.RequestsPerSecond), Sum(f => f.ErrorsPerSecond), p50, p95,
            Sum(f => f.ConsumedPerSecond), Sum(f => f.OutboxBacklog), points);
    }

    /// <summary>One instance's figures over its last export interval.</summary>
    private sealed record Figures(double? RequestsPerSecond, double? ErrorsPerSecond, IReadOnlyList<double>? Bounds, IReadOnlyList<double>? BucketDeltas,
        double? ConsumedPerSecond, double? OutboxBacklog);

    /// <summary>One process of a service: what it exported last, to difference the next export against.</summary>
    private sealed class Instance(string service)
    {
        private readonly Dictionary<string, (ulong Start, ulong Time, double Count, double[] Buckets)> histograms = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (ulong Start, ulong Time, double Value)> sums = new(StringComparer.Ordinal);
        private ulong lastExport;

        public string Service { get; } = service;

        public DateTimeOffset ReceivedAt { get; private set; }

        public Figures Latest { get; private set; } = new(null, null, null, null, null, null);

        public void Apply(IReadOnlyList<Metric> metrics, DateTimeOffset receivedAt)
        {
            var time = metrics.SelectMany(TimesOf).DefaultIfEmpty(0UL).Max();
            if (time == 0)
            {
                return;
            }

            var requests = metrics.FirstOrDefault(m => m.Name == RequestDuration && m.DataCase == Metric.DataOneofCase.Histogram);
            var consumed = metrics.FirstOrDefault(m => m.Name == Consumed && m.DataCase == Metric.DataOneofCase.Sum);
            var backlog = metrics.FirstOrDefault(m => m.Name == OutboxBacklog);
            Figures figures = new(null, null, null, null, null, null);
            if (requests is not null)
            {
                figures = Requests(requests.Histogram);
            }

            if (consumed is not null)
            {
                figures = figures with { ConsumedPerSecond = Rate(consumed.Name, consumed.Sum) };
            }

            if (backlog is not null)
            {
                var points = backlog.DataCase == Metric.DataOneofCase.Gauge ? backlog.Gauge.DataPoints
                    : backlog.DataCase == Metric.DataOneofCase.Sum ? backlog.Sum.DataPoints : null;
                figures = figures with { OutboxBacklog = points?.Sum(ValueOf) };
            }

            Latest = figures;
            ReceivedAt = receivedAt;
            lastExport = time;
        }

        private Figures Requests(Histogram histogram)
        {
            double total = 0, errors = 0;
            double[]? buckets = null;
            IReadOnlyList<double>? bounds = null;
            ulong interval = 0;
            foreach (var point in histogram.DataPoints)
            {
                var key = Key(point.Attributes);
                var counts = point.BucketCounts.Select(c => (double)c).ToArray();
                double count = point.Count;
                var delta = counts;
                if (histogram.AggregationTemporality != 1 && histograms.TryGetValue(key, out var previous)
                    && previous.Start == point.StartTimeUnixNano && count >= previous.Count && previous.Buckets.Length == counts.Length)
                {
                    delta = counts.Zip(previous.Buckets, (c, p) => c - p).ToArray();
                    count -= previous.Count;
                }

                histograms[key] = (point.StartTimeUnixNano, point.TimeUnixNano, point.Count, counts);
                interval = Math.Max(interval, point.TimeUnixNano - Math.Max(point.StartTimeUnixNano, lastExport == 0 ? point.StartTimeUnixNano : lastExport));
                total += count;
                if (point.Attributes.FirstOrDefault(a => a.Key == "http.response.status_code")?.Value?.IntValue >= 500)
                {
                    errors += count;
                }

                if (bounds is null)
                {
                    bounds = point.ExplicitBounds.ToList();
                    buckets = new double[delta.Length];
                }

                if (point.ExplicitBounds.SequenceEqual(bounds))
                {
                    for (var i = 0; i < buckets!.Length && i < delta.Length; i++)
                    {
                        buckets[i] += delta[i];
                    }
                }
            }

            var seconds = interval / 1e9;
            return seconds <= 0
                ? new Figures(null, null, bounds, buckets, null, null)
                : new Figures(total / seconds, errors / seconds, bounds, buckets, null, null);
        }

        private double? Rate(string name, Sum sum)
        {
            double total = 0;
            ulong interval = 0;
            foreach (var point in sum.DataPoints)
            {
                var key = name + "\n" + Key(point.Attributes);
                var value = ValueOf(point);
                var delta = value;
                if (sum.AggregationTemporality != 1 && sums.TryGetValue(key, out var previous)
                    && previous.Start == point.StartTimeUnixNano && value >= previous.Value)
                {
                    delta = value - previous.Value;
                }

                sums[key] = (point.StartTimeUnixNano, point.TimeUnixNano, value);
                interval = Math.Max(interval, point.TimeUnixNano - Math.Max(point.StartTimeUnixNano, lastExport == 0 ? point.StartTimeUnixNano : lastExport));
                total += delta;
            }

            return interval == 0 ? null : total / (interval / 1e9);
        }

        private static IEnumerable<ulong> TimesOf(Metric metric) => metric.DataCase switch
        {
            Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => p.TimeUnixNano),
            Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => p.TimeUnixNano),
            Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => p.TimeUnixNano),
            _ => [],
        };

        private static double ValueOf(NumberDataPoint point) =>
            point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

        private static string Key(Google.Protobuf.Collections.RepeatedField<KeyValue> attributes) =>
            string.Join("\n", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + OtlpValues.Text(a.Value)));
    }
}
