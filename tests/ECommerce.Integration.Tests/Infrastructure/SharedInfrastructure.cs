using System.Globalization;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>One Kafka node and one PostgreSQL cluster for the whole test run, started on first use and stopped once every
/// test has run (<see cref="IntegrationTestFramework"/>). Every test class shares them (a collection fixture would serialize
/// the classes); isolation comes from a topic prefix (topics and consumer groups) and databases per test instead. If the
/// process dies before stopping them, the launchers' orphan guards kill the servers and remove their directories.</summary>
public static class SharedInfrastructure
{
    /// <summary>How long the broker waits for a consumer-group member's heartbeat before it hands the member's partitions to
    /// the others (KIP-848: the broker, not the client, owns the session). The node layout's 10 s is meant for a deployment;
    /// here a killed instance's partitions move in 5 s, which the failover tests wait through. Heartbeats stay at 1 s, so a
    /// live member misses four before it is dropped.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(5);

    static readonly Lazy<Task<KafkaNode>> Broker = new(StartBrokerAsync);

    static readonly Lazy<Task<PostgresCluster>> Database = new(() => PostgresCluster.StartAsync());

    public static Task<KafkaNode> BrokerAsync() => Broker.Value;

    public static Task<PostgresCluster> DatabaseAsync() => Database.Value;

    /// <summary>Stops whichever of the two was started. Called once, after the last test.</summary>
    public static async Task StopAsync()
    {
        await StopAsync(Broker).ConfigureAwait(false);
        await StopAsync(Database).ConfigureAwait(false);
    }

    static Task<KafkaNode> StartBrokerAsync() => KafkaNode.StartAsync(BrokerOptions("[kafka]"));

    /// <summary>How the shared node is configured, for a test that needs a node of its own (one it may pause or kill) set up
    /// the same way; its console lines go to the shared log after <paramref name="tag"/>.</summary>
    public static KafkaNodeOptions BrokerOptions(string tag) => new()
    {
        ServerProperties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["group.consumer.session.timeout.ms"] = ((long)SessionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            // The layout's lower bound (6 s) is above the session wanted here.
            ["group.consumer.min.session.timeout.ms"] = "3000",
            // The default server-side assignor ("uniform") balances a member's partition count over all the topics the group
            // subscribes to, and a group member of ServiceDefaults subscribes its domain topics and its retry and dead-letter
            // topics together: an instance that joins can be given only retry and dead-letter partitions (seen: a kept
            // balance-activity 0-3, b got dead-letters 0-3 and retry-1 2-3), so no domain partition ever changes hands and the
            // hand-over tests would prove nothing. "range" splits each topic's partitions across the members. (Reported against
            // ServiceDefaults; the AppHost's broker still defaults to "uniform".)
            ["group.consumer.assignors"] = "range,uniform",
        },
        OnOutput = line => OutputLog.WriteShared($"{tag} {line}"),
    };

    static async Task StopAsync<T>(Lazy<Task<T>> server) where T : IAsyncDisposable
    {
        if (server.IsValueCreated && server.Value.IsCompletedSuccessfully)
            await server.Value.Result.DisposeAsync().ConfigureAwait(false);
    }
}
