using System.Globalization;

namespace ECommerce.Benchmarks.Report;

/// <summary>CPU time used so far by every process on the machine, from /proc, grouped into the parts of the system under test:
/// the difference of two snapshots says where the machine's cores went during a phase (on a 2-core machine the load
/// generator, the service, the broker and the database all compete for them).</summary>
internal sealed class CpuSnapshot
{
    // Clock ticks per second of /proc/<pid>/stat times (USER_HZ); 100 on every Linux configuration in use.
    const double TicksPerSecond = 100;

    readonly Dictionary<string, long> _ticks;
    readonly DateTime _at;

    CpuSnapshot(Dictionary<string, long> ticks, DateTime at)
    {
        _ticks = ticks;
        _at = at;
    }

    public static readonly string[] Parts = ["service", "postgres", "rabbitmq", "load generator", "other"];

    /// <param name="servicePid">The service instance under test (a dotnet process like the load generator).</param>
    public static CpuSnapshot Take(int servicePid)
    {
        var ticks = Parts.ToDictionary(p => p, _ => 0L, StringComparer.Ordinal);
        var self = Environment.ProcessId;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid … utime stime …": the name may contain spaces, so fields are counted after its ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var name = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var used = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var part = pid == servicePid ? "service"
                : pid == self ? "load generator"
                : name is "postgres" ? "postgres"
                : name is "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost" ? "rabbitmq"
                : "other";
            ticks[part] += used;
        }

        return new CpuSnapshot(ticks, DateTime.UtcNow);
    }

    /// <summary>Share of the machine's total CPU (all cores) each part used between <paramref name="start"/> and this snapshot.</summary>
    public IReadOnlyDictionary<string, double> SharesSince(CpuSnapshot start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var capacity = (_at - start._at).TotalSeconds * TicksPerSecond * Environment.ProcessorCount;
        return Parts.ToDictionary(p => p, p => capacity <= 0 ? 0 : (_ticks[p] - start._ticks.GetValueOrDefault(p)) / capacity, StringComparer.Ordinal);
    }
}
