namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>How one service instance is configured: which broker virtual host and database it uses and its place among
/// the instances of its consumer group.</summary>
/// <param name="Broker">The AMQP URI of a virtual host whose topology is already provisioned; for a cluster, every node's
/// URI of it, comma-separated.</param>
/// <param name="Database">A PostgreSQL (<c>Host=…</c>) or SQLite (<c>Data Source=…</c>) connection string.</param>
public sealed record ServiceSettings(string Broker, string Database)
{
    /// <summary>The partition queues' type the topology was provisioned with: <c>classic</c>, or <c>quorum</c> on a cluster.</summary>
    public string QueueType { get; init; } = "classic";

    public int InstanceOrdinal { get; init; }

    public int InstanceCount { get; init; } = 1;

    /// <summary>How long an instance waits before it subscribes, as standby, to the partitions outside its own share.</summary>
    public TimeSpan StandbyDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Shorter than the 10 s default so that a killed instance's outbox is taken over within a test's patience.</summary>
    public TimeSpan OutboxLease { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>More environment variables for the process, applied last (experiments with runtime settings, for instance).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
