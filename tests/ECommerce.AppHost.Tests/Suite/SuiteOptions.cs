namespace ECommerce.AppHost.Tests.Suite;

public sealed record SuiteOptions
{
    /// <summary>Run PostgreSQL with a database per service instead of SQLite files.</summary>
    public bool Postgres { get; init; }

    /// <summary>Kafka nodes: 1, or 3 for a cluster.</summary>
    public int BrokerNodes { get; init; } = 1;

    /// <summary>Instances of each service.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Start the Aspire dashboard (Aspire.Hosting.Testing leaves it out unless asked).</summary>
    public bool Dashboard { get; init; }

    /// <summary>More AppHost configuration, e.g. <c>Messaging:RetryIntervals:0</c>.</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; init; } = new Dictionary<string, string>();

    /// <summary>Receives the AppHost's and every resource's log lines, prefixed with the resource's name.</summary>
    public Action<string>? Log { get; init; }
}
