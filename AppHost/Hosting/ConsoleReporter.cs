using System.Globalization;
using System.Text;

namespace ECommerce.AppHost.Hosting;

/// <summary>Writes the AppHost's console: every resource's output prefixed with its name, state changes, and the resource
/// table. Reads everything from the <see cref="ResourceRegistry"/>.</summary>
public sealed class ConsoleReporter : IDisposable
{
    private const string Self = "apphost";
    private readonly ResourceRegistry registry;
    private readonly TextWriter output;
    private readonly Lock gate = new();

    public ConsoleReporter(ResourceRegistry registry, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(registry);
        this.registry = registry;
        this.output = output;
        registry.LogLineAdded += OnLogLine;
        registry.ResourceChanged += OnResourceChanged;
    }

    public void Info(string message) => Write(Self, message);

    public void Error(string message) => Write(Self, "error: " + message);

    /// <summary>The resources with their state, pid and endpoints.</summary>
    public void PrintTable()
    {
        var snapshots = registry.GetSnapshots();
        var rows = snapshots.Select(s => new[]
        {
            s.Name,
            s.ResourceType,
            s.State.ToString(),
            s.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
            s.Endpoints.Count == 0 ? "-" : string.Join("  ", s.Endpoints.Select(e => e.Url.ToString())),
        }).Prepend(["RESOURCE", "TYPE", "STATE", "PID", "ENDPOINTS"]).ToList();
        var widths = Enumerable.Range(0, 4).Select(column => rows.Max(row => row[column].Length) + 2).ToArray();
        var table = new StringBuilder();
        foreach (var row in rows)
        {
            for (var column = 0; column < 4; column++)
            {
                table.Append(row[column].PadRight(widths[column]));
            }

            table.AppendLine(row[4]);
        }

        lock (gate)
        {
            output.Write(table.ToString());
            output.Flush();
        }
    }

    public void Dispose()
    {
        registry.LogLineAdded -= OnLogLine;
        registry.ResourceChanged -= OnResourceChanged;
    }

    private void OnLogLine(object? sender, ResourceLogEventArgs e) => Write(e.ResourceName, e.Line.Text);

    private void OnResourceChanged(object? sender, ResourceChangedEventArgs e)
    {
        if (e.Previous.State == e.Current.State || e.Current.State == ResourceState.NotStarted)
        {
            return;
        }

        var detail = e.Current.State switch
        {
            ResourceState.Exited => string.Create(CultureInfo.InvariantCulture, $" (exit code {e.Current.ExitCode})"),
            ResourceState.FailedToStart or ResourceState.Unhealthy when e.Current.LastError is not null => $" ({e.Current.LastError})",
            _ => string.Empty,
        };
        Write(Self, $"{e.Current.Name}: {e.Previous.State} -> {e.Current.State}{detail}");
    }

    private void Write(string source, string text)
    {
        lock (gate)
        {
            output.Write('[');
            output.Write(source);
            output.Write("] ");
            output.WriteLine(text);
            output.Flush();
        }
    }
}
