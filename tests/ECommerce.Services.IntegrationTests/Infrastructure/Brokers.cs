using System.Globalization;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>How this project's Kafka nodes are configured: the AppHost's node layout, with a shorter consumer-group session.
/// The layout's 10 s is what a deployment wants; a test that SIGKILLs a service instance would wait it out before the survivor
/// gets the dead member's partitions, and a dozen such waits are minutes of the run. 4 s is still a realistic failure
/// detector on this 2-core machine: the members' heartbeats (1 s apart) come from librdkafka's own thread, which neither the
/// .NET GC nor a busy consumer holds up; no live member was fenced in the runs that measured this project (none reported a
/// fencing error, and every assignment change the instances logged was one a test caused).</summary>
public static class Brokers
{
    /// <summary>The brokers' <c>group.consumer.session.timeout.ms</c>: how long after its last heartbeat a member that died
    /// without leaving keeps its partitions.</summary>
    public static TimeSpan ConsumerSessionTimeout { get; } = TimeSpan.FromSeconds(4);

    /// <summary>The node options every test broker starts with; <paramref name="extra"/> is applied over them. With
    /// INTEGRATION_TEST_LOG set, the broker's own log lines go to that file too, prefixed with <paramref name="name"/>.</summary>
    public static KafkaNodeOptions Options(IReadOnlyDictionary<string, string>? extra = null, string name = "kafka")
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["group.consumer.session.timeout.ms"] = Milliseconds(ConsumerSessionTimeout),
            ["group.consumer.min.session.timeout.ms"] = "3000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            properties[key] = value;
        return new KafkaNodeOptions { ServerProperties = properties, OnOutput = line => Log(name, line) };
    }

    /// <summary>A node's console line into the INTEGRATION_TEST_LOG file, if one is set (a broker's INFO narration of
    /// leadership and group changes is what explains a pause).</summary>
    public static void Log(string name, string line)
    {
        if (Environment.GetEnvironmentVariable("INTEGRATION_TEST_LOG") is not { Length: > 0 } file)
            return;
        lock (Gate)
            File.AppendAllText(file, $"{DateTime.UtcNow:HH:mm:ss.fff} [{name}] {line}{Environment.NewLine}");
    }

    static readonly Lock Gate = new();

    static string Milliseconds(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
