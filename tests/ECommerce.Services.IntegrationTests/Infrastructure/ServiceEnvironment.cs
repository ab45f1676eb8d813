using ECommerce.AppHost.Infrastructure;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>What one test works in: a virtual host of its own on the shared broker, with the topology provisioned as the
/// AppHost does before any service starts, and per service one database of its own (on the shared PostgreSQL cluster, or a
/// SQLite file) that every instance of that service shares, as instances of one service do. Instances started here are
/// stopped when the environment is disposed.</summary>
public sealed class ServiceEnvironment : IAsyncDisposable
{
    readonly RabbitMqNode _broker;
    readonly string _virtualHost;
    readonly string _unique;
    readonly DatabaseKind _kind;
    readonly string? _sqliteDirectory;
    readonly Dictionary<string, string> _databases = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _databaseGate = new(1, 1);
    readonly List<ServiceProcess> _instances = [];
    readonly PostgresCluster? _ownDatabase;

    ServiceEnvironment(RabbitMqNode broker, string virtualHost, Uri brokerUri, string unique, DatabaseKind kind, string? sqliteDirectory, OutputLog log,
        PostgresCluster? ownDatabase)
    {
        _broker = broker;
        _ownDatabase = ownDatabase;
        _virtualHost = virtualHost;
        BrokerUri = brokerUri;
        _unique = unique;
        _kind = kind;
        _sqliteDirectory = sqliteDirectory;
        Log = log;
    }

    /// <summary>The AMQP URI of this test's virtual host.</summary>
    public Uri BrokerUri { get; }

    public OutputLog Log { get; }

    /// <summary>The partitions the provisioned topology has (the default), which the instances also use.</summary>
    public static MessagingOptions Messaging { get; } = new();

    /// <param name="ownBroker">A broker of the test's own instead of the shared one: for a test that kills it.</param>
    /// <param name="ownDatabase">A PostgreSQL cluster of the test's own instead of the shared one: for a test that stops it.</param>
    public static async Task<ServiceEnvironment> CreateAsync(string name, DatabaseKind database, ITestOutputHelper output,
        RabbitMqNode? ownBroker = null, PostgresCluster? ownDatabase = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var unique = $"{name}-{(database == DatabaseKind.PostgreSql ? "pg" : "lite")}-{Guid.NewGuid().ToString("N")[..8]}";
        var log = new OutputLog(output);
        log.Write($"[test] {unique}: waiting for the broker{(database == DatabaseKind.PostgreSql ? " and database" : string.Empty)}");
        // Both servers start at once on first use; each takes seconds.
        if (database == DatabaseKind.PostgreSql && ownDatabase is null)
            _ = SharedInfrastructure.DatabaseAsync();
        var broker = ownBroker ?? await SharedInfrastructure.BrokerAsync().ConfigureAwait(false);
        var brokerUri = await broker.CreateVirtualHostAsync(unique).ConfigureAwait(false);
        await TopologyProvisioner.ProvisionAsync(brokerUri, Messaging).ConfigureAwait(false);

        string? sqliteDirectory = null;
        if (database == DatabaseKind.Sqlite)
        {
            sqliteDirectory = Path.Combine(Path.GetTempPath(), "ecommerce-service-tests", unique);
            Directory.CreateDirectory(sqliteDirectory);
        }

        log.Write($"[test] {unique}: virtual host {brokerUri}");
        return new ServiceEnvironment(broker, unique, brokerUri, unique, database, sqliteDirectory, log, ownDatabase);
    }

    /// <summary>The connection string of <paramref name="service"/>'s database in this test, created on first use.</summary>
    public async Task<string> DatabaseAsync(string service)
    {
        await _databaseGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_databases.TryGetValue(service, out var existing))
                return existing;
            var connectionString = _kind == DatabaseKind.PostgreSql
                ? await (_ownDatabase ?? await SharedInfrastructure.DatabaseAsync().ConfigureAwait(false))
                    .CreateDatabaseAsync($"{_unique}_{service}".Replace('-', '_')).ConfigureAwait(false)
                : $"Data Source={Path.Combine(_sqliteDirectory!, service + ".db")}";
            _databases[service] = connectionString;
            Log.Write($"[test] {service} database: {connectionString}");
            return connectionString;
        }
        finally
        {
            _databaseGate.Release();
        }
    }

    /// <summary>Starts an instance of <paramref name="service"/> (ordinal of count) on a free port, on the service's database
    /// in this test; it is stopped with the environment.</summary>
    public async Task<ServiceProcess> StartInstanceAsync(string service, string name, int ordinal, int count,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var instance = ServiceProcess.Start(service, name, new ServiceSettings(BrokerUri, await DatabaseAsync(service).ConfigureAwait(false))
        {
            InstanceOrdinal = ordinal,
            InstanceCount = count,
            Environment = environment ?? new Dictionary<string, string>(),
        }, Log.Write);
        lock (_instances)
            _instances.Add(instance);
        return instance;
    }

    /// <summary>Waits until every partition queue of <paramref name="group"/> on <paramref name="topic"/> has at least
    /// <paramref name="consumers"/> consumers (an active one and standbys). Asked over AMQP (a passive declare), which is current, unlike the management
    /// API's statistics.</summary>
    public async Task WaitForPartitionConsumersAsync(string group, string topic, int consumers)
    {
        var queues = Enumerable.Range(0, Messaging.PartitionsOf(topic))
            .Select(p => TopologyNames.GroupQueue(group, topic, p)).ToList();
        var factory = new ConnectionFactory { Uri = BrokerUri, ClientProvidedName = "service-test-probe" };
        var connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await Poll.UntilAsync(async _ =>
            {
                foreach (var queue in queues)
                {
                    // A passive declare of a missing queue closes its channel: one channel per question.
                    var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
                    await using (channel.ConfigureAwait(false))
                    {
                        try
                        {
                            if ((await channel.QueueDeclarePassiveAsync(queue).ConfigureAwait(false)).ConsumerCount < consumers)
                                return false;
                        }
                        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                        {
                            return false;
                        }
                    }
                }

                return true;
            }, TimeSpan.FromSeconds(90), $"{consumers} consumer(s) on each of {string.Join(", ", queues)}").ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ServiceProcess> instances;
        lock (_instances)
            instances = [.. _instances];
        await Task.WhenAll(instances.Select(i => i.DisposeAsync().AsTask())).ConfigureAwait(false);
        try
        {
            await _broker.DeleteVirtualHostAsync(_virtualHost).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // Best effort: the whole node is removed at the end of the run anyway.
            Log.Write($"could not delete virtual host {_virtualHost}: {e.Message}");
        }

        if (_sqliteDirectory is not null && Directory.Exists(_sqliteDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteDirectory, recursive: true);
        }

        _databaseGate.Dispose();
    }
}
