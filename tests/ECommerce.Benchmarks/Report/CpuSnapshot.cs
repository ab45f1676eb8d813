using System.Globalization;

namespace ECommerce.Benchmarks.Report;

/// <summary>CPU time used so far by every process on the machine, from /proc, grouped into the parts of the system under test:
/// the difference of two snapshots says where the machine's cores went during a phase (on a 2-core machine the load
/// generator, the service, the broker and the database all compete for them).</summary>
internal sealed class CpuSnapshot
{
    // Clock ticks per second of /proc/<pid>/stat times (USER_HZ); 100 on every Linux configuration in use.
    const double TicksPerSecond = 100;

    // Per process (pid and start time, so that a reused pid is another process): its part and the ticks it has used so far.
    readonly Dictionary<(int Pid, long Started), (string Part, long Ticks)> _processes;
    readonly DateTime _at;

    CpuSnapshot(Dictionary<(int Pid, long Started), (string Part, long Ticks)> processes, DateTime at)
    {
        _processes = processes;
        _at = at;
    }

    public static readonly string[] Parts = ["service", "postgres", "kafka", "load generator", "other"];

    /// <param name="servicePid">The service instance under test (a dotnet process like the load generator).</param>
    /// <param name="brokerPid">The benchmark's Kafka node (its JVM).</param>
    /// <param name="postgresPid">The benchmark's PostgreSQL postmaster, whose children are its backends and workers. Another
    /// broker or database server on the machine (a test run's) competes for the cores but is no part of the system under
    /// test: it counts as "other".</param>
    public static CpuSnapshot Take(int servicePid, int brokerPid, int postgresPid)
    {
        var processes = new Dictionary<(int Pid, long Started), (string Part, long Ticks)>();
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
                : pid == brokerPid ? "kafka"
                : name is "postgres" && (pid == postgresPid || fields[1] == postgresPid.ToString(CultureInfo.InvariantCulture)) ? "postgres"
                : "other";
            processes[(pid, long.Parse(fields[19], CultureInfo.InvariantCulture))] = (part, used);
        }

        return new CpuSnapshot(processes, DateTime.UtcNow);
    }

    /// <summary>Share of the machine's total CPU (all cores) each part used between <paramref name="start"/> and this snapshot:
    /// per process, what it used since the start snapshot (all it used, if it started since). A process that ended in between
    /// is missing from this snapshot and counts nothing: what it used in the window is lost, where subtracting its ticks
    /// from a part's total would have made the part's share negative.</summary>
    public IReadOnlyDictionary<string, double> SharesSince(CpuSnapshot start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var capacity = (_at - start._at).TotalSeconds * TicksPerSecond * Environment.ProcessorCount;
        var used = Parts.ToDictionary(p => p, _ => 0L, StringComparer.Ordinal);
        foreach (var (process, (part, ticks)) in _processes)
            used[part] += ticks - (start._processes.TryGetValue(process, out var before) ? before.Ticks : 0);
        return Parts.ToDictionary(p => p, p => capacity <= 0 ? 0 : used[p] / capacity, StringComparer.Ordinal);
    }
}
