namespace ECommerce.AppHost.Kafka;

/// <summary>Where the Apache Kafka distribution is: <c>KAFKA_HOME</c>, else the <c>shared/kafka</c> folder beside the
/// repository (as on this project's machines). eng/run.sh, eng/test.sh and .ci/run also download the official release
/// when neither exists and set <c>KAFKA_HOME</c> to it.</summary>
public static class KafkaHome
{
    public const string Variable = "KAFKA_HOME";

    /// <summary>The distribution's directory (the one holding <c>libs/</c>); throws saying how to provide one.</summary>
    public static string Resolve(string? configured = null)
    {
        foreach (var candidate in Candidates(configured))
        {
            var libs = Path.Combine(candidate, "libs");
            if (Directory.Exists(libs) && Directory.EnumerateFiles(libs, "kafka-server-*.jar").Any())
                return Path.GetFullPath(candidate);
        }

        throw new InvalidOperationException(
            $"No Apache Kafka distribution found. Set {Variable} to the folder of an Apache Kafka 4.4.0 binary release (the one holding libs/), "
            + "or run eng/run.sh / eng/test.sh, which use ../shared/kafka when it exists and otherwise download and verify the release once.");
    }

    static IEnumerable<string> Candidates(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            yield return configured;
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } home)
            yield return home;
        // The repository's parent holds shared/ on this project's machines; walk up from wherever the code runs.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var shared = Path.Combine(directory.FullName, "shared", "kafka");
            if (Directory.Exists(Path.Combine(shared, "libs")))
                yield return shared;
        }
    }
}
