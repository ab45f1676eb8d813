using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ECommerce.Benchmarks.Report;

/// <summary>What the numbers were measured on: CPU, memory, OS, runtime, broker and database versions, and the load average
/// before the run (a busy machine makes every figure worse, so a report states it).</summary>
internal static class MachineDescription
{
    /// <param name="kafkaHome">The Kafka distribution the broker ran from.</param>
    public static IReadOnlyList<string> Describe(string loadBefore, string kafkaHome) =>
    [
        $"cpu: {CpuModel()} ({Environment.ProcessorCount} logical cores)",
        $"memory: {MemoryTotal()}",
        $"os: {RuntimeInformation.OSDescription}; .NET {Environment.Version}",
        $"broker: Apache Kafka {KafkaVersion(kafkaHome)} (one KRaft node, OpenJDK {PackageVersion("openjdk-17-jre-headless")}; idempotent producers, acks=all)",
        $"database: PostgreSQL {PackageVersion("postgresql-15")} (one local cluster, default settings) and SQLite (file, WAL)",
        $"load average before / after: {loadBefore} / {LoadAverage()}",
    ];

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    static string MemoryTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kilobytes = long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture, $"{kilobytes / (1024.0 * 1024.0):F1} GiB");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
            return "unknown";
        }
    }

    /// <summary>The version in the name of the distribution's server jar (<c>libs/kafka-server-4.4.0.jar</c>).</summary>
    static string KafkaVersion(string kafkaHome)
    {
        var jar = Directory.Exists(Path.Combine(kafkaHome, "libs"))
            ? Directory.EnumerateFiles(Path.Combine(kafkaHome, "libs"), "kafka-server-*.jar").FirstOrDefault(f => !f.Contains("-common", StringComparison.Ordinal))
            : null;
        return jar is null ? "unknown" : Path.GetFileNameWithoutExtension(jar)["kafka-server-".Length..];
    }

    static string PackageVersion(string package)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dpkg-query", ["-W", "-f", "${Version}", package])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && version.Length > 0 ? version : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
