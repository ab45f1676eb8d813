using Xunit.Abstractions;

namespace ECommerce.Benchmarks;

/// <summary>Where the compiled-in <c>ServiceEnvironment</c> writes its log (its own narration, every line of every service
/// instance and of the order benchmark's double): the console gets the narration, each instance's start and the first of
/// their warnings and errors, so that a run stays readable while a service that complains is still noticed. Every line
/// also goes to the file named by BENCH_SERVICE_LOG, if set (e.g. with verbose logging through <c>--service-env</c>, for
/// profiling); INTEGRATION_TEST_LOG works as in the tests and also gets the broker's own log.</summary>
internal sealed class BenchmarkOutput : ITestOutputHelper
{
    const int MaxComplaints = 20;

    readonly Lock _gate = new();
    readonly string? _file = Environment.GetEnvironmentVariable("BENCH_SERVICE_LOG") is { Length: > 0 } path ? path : null;
    int _complaints;

    public void WriteLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (_file is not null)
                File.AppendAllText(_file, message + Environment.NewLine);
            if (message.Contains("[test] ", StringComparison.Ordinal) || message.Contains("] started as pid ", StringComparison.Ordinal))
            {
                Console.WriteLine(message);
            }
            else if (IsComplaint(message))
            {
                // An overloaded service can warn on every request: the first few say what is wrong, the rest would bury the run.
                if (++_complaints <= MaxComplaints)
                    Console.WriteLine(message);
                else if (_complaints == MaxComplaints + 1)
                    Console.WriteLine($"(further warnings and errors only in the environment's recent log{(_file is null ? string.Empty : " and " + _file)})");
            }
        }
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

    /// <summary>A warning or worse in the console logger's simple format ("warn: Category[0] …"), or from the double's
    /// in-process logger ("[double] Warning …").</summary>
    static bool IsComplaint(string line) =>
        line.Contains("] warn: ", StringComparison.Ordinal) || line.Contains("] fail: ", StringComparison.Ordinal)
        || line.Contains("] crit: ", StringComparison.Ordinal) || line.Contains("[double] ", StringComparison.Ordinal);
}
