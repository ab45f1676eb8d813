namespace ECommerce.AppHost.Hosting;

/// <summary>The AppHost's live view of its resources: the current snapshot of each and the last console lines of each, with
/// events on every change. The orchestrator writes it; the console reporter and the dashboard read it. Thread-safe. Events
/// are raised on the writing thread while the registry is locked, so every subscriber sees the changes in the order they
/// were made; a handler may read the registry but must not block on another thread that writes to it.</summary>
public sealed class ResourceRegistry
{
    /// <summary>Lines kept per resource; older ones are dropped.</summary>
    public const int DefaultLogCapacity = 5000;

    private readonly Lock gate = new();
    private readonly List<string> order = [];
    private readonly Dictionary<string, ResourceSnapshot> snapshots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LogBuffer> logs = new(StringComparer.Ordinal);
    private readonly int logCapacity;

    public ResourceRegistry()
        : this(DefaultLogCapacity)
    {
    }

    public ResourceRegistry(int logCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(logCapacity, 1);
        this.logCapacity = logCapacity;
    }

    public event EventHandler<ResourceChangedEventArgs>? ResourceChanged;

    public event EventHandler<ResourceLogEventArgs>? LogLineAdded;

    /// <summary>Every resource, in the order they were added.</summary>
    public IReadOnlyList<ResourceSnapshot> GetSnapshots()
    {
        lock (gate)
        {
            return order.Select(name => snapshots[name]).ToList();
        }
    }

    public ResourceSnapshot? GetSnapshot(string name)
    {
        lock (gate)
        {
            return snapshots.GetValueOrDefault(name);
        }
    }

    /// <summary>The kept console lines of a resource with a sequence above <paramref name="afterSequence"/>, oldest first.</summary>
    public IReadOnlyList<ResourceLogLine> GetLogs(string name, long afterSequence = 0)
    {
        lock (gate)
        {
            return logs.TryGetValue(name, out var buffer) ? buffer.After(afterSequence) : [];
        }
    }

    /// <summary>Completes with the first snapshot of <paramref name="name"/> that satisfies <paramref name="predicate"/>
    /// (possibly the current one).</summary>
    public async Task<ResourceSnapshot> WaitForAsync(string name, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var found = new TaskCompletionSource<ResourceSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(object? sender, ResourceChangedEventArgs e)
        {
            if (e.Current.Name == name && predicate(e.Current))
            {
                found.TrySetResult(e.Current);
            }
        }

        ResourceChanged += OnChanged;
        try
        {
            if (GetSnapshot(name) is { } current && predicate(current))
            {
                return current;
            }

            return await found.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ResourceChanged -= OnChanged;
        }
    }

    internal void Add(ResourceSnapshot snapshot)
    {
        lock (gate)
        {
            if (!snapshots.TryAdd(snapshot.Name, snapshot))
            {
                throw new InvalidOperationException($"A resource named '{snapshot.Name}' is already registered.");
            }

            order.Add(snapshot.Name);
            logs[snapshot.Name] = new LogBuffer(logCapacity);
            ResourceChanged?.Invoke(this, new ResourceChangedEventArgs(snapshot, snapshot));
        }
    }

    /// <summary>Replaces a resource's snapshot with <paramref name="change"/> of it; returns the new one.</summary>
    internal ResourceSnapshot Update(string name, Func<ResourceSnapshot, ResourceSnapshot> change)
    {
        lock (gate)
        {
            var previous = snapshots[name];
            var current = change(previous);
            if (!ReferenceEquals(previous, current))
            {
                snapshots[name] = current;
                ResourceChanged?.Invoke(this, new ResourceChangedEventArgs(previous, current));
            }

            return current;
        }
    }

    internal void AppendLog(string name, string text, bool isErrorStream)
    {
        lock (gate)
        {
            var line = logs[name].Append(text, isErrorStream);
            LogLineAdded?.Invoke(this, new ResourceLogEventArgs(name, line));
        }
    }

    private sealed class LogBuffer(int capacity)
    {
        private readonly Queue<ResourceLogLine> lines = new();
        private long sequence;

        public ResourceLogLine Append(string text, bool isErrorStream)
        {
            if (lines.Count == capacity)
            {
                lines.Dequeue();
            }

            var line = new ResourceLogLine(++sequence, DateTimeOffset.UtcNow, text, isErrorStream);
            lines.Enqueue(line);
            return line;
        }

        public List<ResourceLogLine> After(long afterSequence) => lines.Where(line => line.Sequence > afterSequence).ToList();
    }
}
