using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>One Kafka node and one PostgreSQL cluster for the whole test run, started on first use and stopped once every
/// test has run (<see cref="ServicesTestFramework"/>): starting them takes seconds, isolation comes from a topic prefix and a
/// database per test instead. If the process dies before stopping them, the launchers' orphan guards kill the servers and
/// remove their directories. Tests that kill a broker start their own (<see cref="Brokers"/>).</summary>
public static class SharedInfrastructure
{
    static readonly Lazy<Task<KafkaNode>> Broker = new(() => KafkaNode.StartAsync(Brokers.Options()));
    static readonly Lazy<Task<PostgresCluster>> Database = new(() => PostgresCluster.StartAsync());

    public static Task<KafkaNode> BrokerAsync() => Broker.Value;

    public static Task<PostgresCluster> DatabaseAsync() => Database.Value;

    /// <summary>Stops whichever of the two was started. Called once, after the last test.</summary>
    public static async Task StopAsync()
    {
        await StopAsync(Broker).ConfigureAwait(false);
        await StopAsync(Database).ConfigureAwait(false);
    }

    static async Task StopAsync<T>(Lazy<Task<T>> server) where T : IAsyncDisposable
    {
        if (server.IsValueCreated && server.Value.IsCompletedSuccessfully)
            await server.Value.Result.DisposeAsync().ConfigureAwait(false);
    }
}
