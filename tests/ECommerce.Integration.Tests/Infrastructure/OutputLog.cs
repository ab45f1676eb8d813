using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Forwards lines to the test's output and keeps the most recent ones for failure messages. Lines that arrive after
/// the test has finished (a host still stopping) are only kept. With INTEGRATION_TEST_LOG=path every line is also appended to
/// that file as it happens, which shows where a test that hangs is stuck (xunit prints a test's output only when it ends).</summary>
public sealed class OutputLog(ITestOutputHelper output)
{
    const int Capacity = 300;
    static readonly Lock FileLock = new();
    readonly ConcurrentQueue<string> _recent = new();

    public void Write(string line)
    {
        var stamped = Stamp(line);
        AppendToFile(stamped);
        _recent.Enqueue(stamped);
        while (_recent.Count > Capacity && _recent.TryDequeue(out _))
        {
        }

        try
        {
            output.WriteLine(stamped);
        }
        catch (InvalidOperationException)
        {
            // The test is over; xunit no longer accepts output for it.
        }
    }

    public string Recent => string.Join(Environment.NewLine, _recent);

    /// <summary>A line of something no single test owns (the shared broker's console): only to INTEGRATION_TEST_LOG.</summary>
    public static void WriteShared(string line) => AppendToFile(Stamp(line));

    static string Stamp(string line) => $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";

    static void AppendToFile(string stamped)
    {
        if (Environment.GetEnvironmentVariable("INTEGRATION_TEST_LOG") is not { Length: > 0 } file)
            return;
        lock (FileLock)
            File.AppendAllText(file, stamped + Environment.NewLine);
    }
}
