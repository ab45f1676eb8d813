namespace ECommerce.AppHost.Kafka;

// The type is public in the AppHost. ECommerce.Testing compiles this file too (linked, KAFKA_SOURCE_INTERNAL): there it is internal,
// or a project that references both assemblies (ECommerce.AppHost.Tests) could not name the type (CS0433).
/// <summary>Where the Apache Kafka distribution is: <c>KAFKA_HOME</c>, else the <c>shared/kafka</c> folder beside the
/// repository (as on this project's machines). eng/run.sh, eng/test.sh and .ci/run also download the official release
/// when neither exists and set <c>KAFKA_HOME</c> to it.</summary>
#if KAFKA_SOURCE_INTERNAL
internal
#else
public
#endif
static class KafkaHome
{
    public const string Variable = "KAFKA_HOME";

    /// <summary>The distribution's directory (the one holding <c>libs/</c>); throws saying how to provide one.</summary>
    /// <remarks>A folder given explicitly (<paramref name="configured"/>, else <c>KAFKA_HOME</c>) is the only one
    /// considered: one that holds no distribution is an error, not a reason to quietly run another Kafka.</remarks>
    public static string Resolve(string? configured = null)
    {
        var (given, source) = string.IsNullOrWhiteSpace(configured)
            ? (Environment.GetEnvironmentVariable(Variable), Variable)
            : (configured, $"The configured Kafka folder ({Variable})");
        if (!string.IsNullOrEmpty(given))
        {
            return HoldsDistribution(given)
                ? Path.GetFullPath(given)
                : throw new InvalidOperationException(
                    $"{source} is '{given}', which holds no Apache Kafka distribution (no libs/kafka-server-*.jar). "
                    + $"Set {Variable} to the folder of an Apache Kafka 4.4.0 binary release (the one holding libs/), or unset it.");
        }

        // The repository's parent holds shared/ on this project's machines; walk up from wherever the code runs.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var shared = Path.Combine(directory.FullName, "shared", "kafka");
            if (HoldsDistribution(shared))
                return Path.GetFullPath(shared);
        }

        throw new InvalidOperationException(
            $"No Apache Kafka distribution found. Set {Variable} to the folder of an Apache Kafka 4.4.0 binary release (the one holding libs/), "
            + "or run eng/run.sh / eng/test.sh, which use ../shared/kafka when it exists and otherwise download and verify the release once.");
    }

    static bool HoldsDistribution(string folder)
    {
        var libs = Path.Combine(folder, "libs");
        return Directory.Exists(libs) && Directory.EnumerateFiles(libs, "kafka-server-*.jar").Any();
    }
}
