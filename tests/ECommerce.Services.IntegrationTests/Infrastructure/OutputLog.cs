using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>Forwards lines to the test's output and keeps the most recent ones for failure messages. Lines that arrive after
/// the test has finished (a service still stopping) are only kept. With INTEGRATION_TEST_LOG=path every line is also appended
/// to that file as it happens, which shows where a test that hangs is stuck (xunit prints a test's output only when it ends).</summary>
public sealed class OutputLog(ITestOutputHelper output)
{
    const int Capacity = 300;
    readonly ConcurrentQueue<string> _recent = new();

    public void Write(string line)
    {
        var stamped = $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";
        if (Environment.GetEnvironmentVariable("INTEGRATION_TEST_LOG") is { Length: > 0 } file)
        {
            lock (_recent)
                File.AppendAllText(file, stamped + Environment.NewLine);
        }

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
}
