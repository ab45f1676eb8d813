using System.Globalization;

namespace ECommerce.Testing.Infrastructure;

/// <summary>Reads the Linux process table (/proc) to find what a process started, and whether a process still runs. Zombies
/// count as gone: in a container whose init does not reap, a dead orphan stays a zombie forever but holds nothing.</summary>
public static class ProcessTree
{
    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) =>
        TryReadStat(pid, out var stat) && stat.State != 'Z' && stat.State != 'X';

    /// <summary>The command name (<c>comm</c>, e.g. <c>beam.smp</c>) of a living process, or null.</summary>
    public static string? CommandName(int pid) =>
        TryReadStat(pid, out var stat) && stat.State != 'Z' ? stat.Command : null;

    /// <summary>Every living descendant of <paramref name="pid"/> (children, their children, ...), parents before children.
    /// A daemon that detached (re-parented to init) is no longer a descendant: see <see cref="FindByEnvironment"/>.</summary>
    public static IReadOnlyList<int> DescendantsOf(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var stat in ReadAll())
        {
            if (stat.State is 'Z' or 'X')
            {
                continue;
            }

            if (!children.TryGetValue(stat.ParentPid, out var list))
            {
                children[stat.ParentPid] = list = [];
            }

            list.Add(stat.Pid);
        }

        var result = new List<int>();
        var pending = new Queue<int>();
        pending.Enqueue(pid);
        while (pending.TryDequeue(out var next))
        {
            if (!children.TryGetValue(next, out var list))
            {
                continue;
            }

            foreach (var child in list)
            {
                result.Add(child);
                pending.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary>Living processes whose environment holds <paramref name="name"/>=<paramref name="value"/>. Child processes
    /// inherit their parent's environment, so a marker variable set on a root process finds everything it started,
    /// detached daemons included. Processes whose environment this process may not read are skipped.</summary>
    public static IReadOnlyList<int> FindByEnvironment(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var needle = System.Text.Encoding.UTF8.GetBytes(name + "=" + value);
        var result = new List<int>();
        foreach (var stat in ReadAll())
        {
            if (stat.State is 'Z' or 'X')
            {
                continue;
            }

            byte[] environment;
            try
            {
                environment = File.ReadAllBytes($"/proc/{stat.Pid}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (ContainsEntry(environment, needle))
            {
                result.Add(stat.Pid);
            }
        }

        return result;
    }

    /// <summary>Every live process other than this one whose command line, environment or working directory contains
    /// <paramref name="text"/> (a directory only one run uses, say): what a run left behind, whoever started it.</summary>
    public static IReadOnlyList<int> FindMentioning(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        var result = new List<int>();
        foreach (var stat in ReadAll())
        {
            if (stat.State is 'Z' or 'X' || stat.Pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes($"/proc/{stat.Pid}/cmdline").AsSpan().IndexOf(needle) >= 0
                    || File.ReadAllBytes($"/proc/{stat.Pid}/environ").AsSpan().IndexOf(needle) >= 0
                    || (new DirectoryInfo($"/proc/{stat.Pid}/cwd").LinkTarget?.Contains(text, StringComparison.Ordinal) ?? false))
                {
                    result.Add(stat.Pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return result;
    }

    private static bool ContainsEntry(ReadOnlySpan<byte> environment, ReadOnlySpan<byte> entry)
    {
        // Entries are NUL-separated; compare whole entries so that NAME=value does not match NAME=value2.
        while (!environment.IsEmpty)
        {
            var end = environment.IndexOf((byte)0);
            var current = end < 0 ? environment : environment[..end];
            if (current.SequenceEqual(entry))
            {
                return true;
            }

            environment = end < 0 ? [] : environment[(end + 1)..];
        }

        return false;
    }

    private static IEnumerable<ProcStat> ReadAll()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryReadStat(pid, out var stat))
            {
                yield return stat;
            }
        }
    }

    private static bool TryReadStat(int pid, out ProcStat stat)
    {
        stat = default;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid ...": comm may itself contain spaces and parentheses, so split at the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open || close + 4 > text.Length)
        {
            return false;
        }

        var rest = text[(close + 2)..].Split(' ', 3);
        if (rest.Length < 2 || !int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return false;
        }

        stat = new ProcStat(pid, text[(open + 1)..close], rest[0][0], parent);
        return true;
    }

    private readonly record struct ProcStat(int Pid, string Command, char State, int ParentPid);
}
