using System.Globalization;

namespace ECommerce.Benchmarks.Report;

/// <summary>Peak resident memory of a process as the kernel records it (<c>VmHWM</c> in <c>/proc/PID/status</c>): the high-water
/// mark of its resident set since it started, so it has to be read while the process still runs.</summary>
internal static class ProcessMemory
{
    /// <summary>The peak in bytes, or null when the process is gone or the platform has no <c>/proc</c>.</summary>
    public static long? PeakResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    continue;
                var kilobytes = line["VmHWM:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kilobytes, NumberStyles.Integer, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    public static long? PeakResidentBytesOfThisProcess() => PeakResidentBytes(Environment.ProcessId);

    public static string Format(long? bytes) =>
        bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / (1024.0 * 1024.0):F0} MiB") : "-";
}
