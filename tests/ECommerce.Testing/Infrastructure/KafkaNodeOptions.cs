namespace ECommerce.Testing.Infrastructure;

public sealed class KafkaNodeOptions
{
    /// <summary>The Apache Kafka distribution (the folder holding <c>libs/</c>); when null, <c>KAFKA_HOME</c> or the
    /// <c>shared/kafka</c> folder beside the repository (<see cref="ECommerce.AppHost.Kafka.KafkaHome.Resolve"/>).</summary>
    public string? KafkaHome { get; init; }

    /// <summary>Where the node's own directory is created; the system temp directory when null.</summary>
    public string? ParentDirectory { get; init; }

    /// <summary>How long a start (or restart) may take before it counts as failed: formatting, the JVM's start, and the
    /// broker answering a metadata request that lists it.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a graceful stop (SIGTERM, controlled shutdown; 2–3 s measured) may take before the JVM is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>More <c>server.properties</c> entries, applied over the layout's own (e.g. <c>log.segment.bytes</c>).</summary>
    public IReadOnlyDictionary<string, string>? ServerProperties { get; init; }

    /// <summary>Receives every line the node writes to its console (its log), and the storage format tool's output.</summary>
    public Action<string>? OnOutput { get; init; }
}
