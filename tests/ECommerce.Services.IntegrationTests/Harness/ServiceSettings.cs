namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>How one service instance is configured: which Kafka cluster and topic prefix it uses, and its database. Where it
/// stands in its consumer group is not configured: the group protocol (KIP-848) assigns its partitions.</summary>
/// <param name="BootstrapServers">The Kafka bootstrap servers, <c>host:port[,host:port…]</c>.</param>
/// <param name="TopicPrefix">Put before every topic and consumer group name: the test's own namespace on a shared broker.</param>
/// <param name="Database">A PostgreSQL (<c>Host=…</c>) or SQLite (<c>Data Source=…</c>) connection string.</param>
public sealed record ServiceSettings(string BootstrapServers, string TopicPrefix, string Database)
{
    /// <summary>Shorter than the 10 s default so that a killed instance's outbox is taken over within a test's patience.</summary>
    public TimeSpan OutboxLease { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>More environment variables for the process, applied last (a test's own messaging settings, for instance).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
