using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>One RabbitMQ node and one PostgreSQL cluster for the whole test run, started on first use and stopped once every
/// test has run (<see cref="ServicesTestFramework"/>): starting them takes seconds, isolation comes from a virtual host and a
/// database per test instead. If the process dies before stopping them, the launchers' orphan guards kill the servers and
/// remove their directories. (The same arrangement as ECommerce.Integration.Tests.)</summary>
public static class SharedInfrastructure
{
    static readonly Lazy<Task<RabbitMqNode>> Broker = new(() => RabbitMqNode.StartAsync());
    static readonly Lazy<Task<PostgresCluster>> Database = new(() => PostgresCluster.StartAsync());

    public static Task<RabbitMqNode> BrokerAsync() => Broker.Value;

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
