namespace ECommerce.AppHost.Telemetry;

/// <summary>The structured log records received, at most <see cref="TelemetryLimits.MaxLogs"/>, oldest dropped first; each
/// gets a sequence number so that a page can ask for what came after what it has. Thread-safe.</summary>
internal sealed class LogStore(TelemetryLimits limits)
{
    private readonly Lock gate = new();
    private readonly Queue<LogView> records = new();
    private long sequence;

    public long Dropped { get; private set; }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return records.Count;
            }
        }
    }

    /// <summary>Adds records made by <paramref name="create"/> from their sequence numbers.</summary>
    public void Add<T>(IEnumerable<T> items, Func<T, long, LogView> create)
    {
        lock (gate)
        {
            foreach (var item in items)
            {
                if (records.Count >= limits.MaxLogs)
                {
                    records.Dequeue();
                    Dropped++;
                }

                records.Enqueue(create(item, ++sequence));
            }
        }
    }

    /// <summary>The last <paramref name="limit"/> records after <paramref name="after"/> that match every given filter.</summary>
    public LogsPage Query(string? service, LogLevelName minLevel, string? traceId, string? search, long after, int limit)
    {
        List<LogView> snapshot;
        long last;
        lock (gate)
        {
            snapshot = records.Where(r => r.Sequence > after).ToList();
            last = sequence;
        }

        var matching = snapshot.Where(r => r.Level >= minLevel
            && (string.IsNullOrEmpty(service) || r.Service == service)
            && (string.IsNullOrEmpty(traceId) || string.Equals(r.TraceId, traceId, StringComparison.OrdinalIgnoreCase))
            && (string.IsNullOrEmpty(search) || (r.SearchText ?? r.Message).Contains(search, StringComparison.OrdinalIgnoreCase)));
        return new LogsPage(matching.TakeLast(limit).ToList(), Math.Max(last, after));
    }
}
