using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Suite;

/// <summary>Forwards lines from servers' background threads to a test's output. A line that arrives after the test has
/// finished (a server's last words during disposal) has nowhere to go and is dropped.</summary>
internal static class TestOutput
{
    public static Action<string> Forward(ITestOutputHelper output, string prefix) => line =>
    {
        try
        {
            output.WriteLine($"[{prefix}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test is over.
        }
    };
}
