using ECommerce.Testing.Infrastructure;
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
    readonly IReadOnlyList<RabbitMqNode> _brokerNodes;
    readonly string _virtualHost;
    readonly string _unique;
    readonly DatabaseKind _kind;
    readonly string? _sqliteDirectory;
    readonly Dictionary<string, string> _databases = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _databaseGate = new(1, 1);
    readonly List<ServiceProcess> _instances = [];
    readonly PostgresCluster? _ownDatabase;

    ServiceEnvironment(IReadOnlyList<RabbitMqNode> brokerNodes, string virtualHost, IReadOnlyList<Uri> brokerUris, string queueType, string unique,
        DatabaseKind kind, string? sqliteDirectory, OutputLog log, PostgresCluster? ownDatabase)
    {
        _brokerNodes = brokerNodes;
        BrokerUri = brokerUris[0];
        Broker = string.Join(',', brokerUris);
        QueueType = queueType;
        _ownDatabase = ownDatabase;
        _virtualHost = virtualHost;
        _unique = unique;
        _kind = kind;
        _sqliteDirectory = sqliteDirectory;
        Log = log;
    }

    /// <summary>The AMQP URI of this test's virtual host (on a cluster, on its first node).</summary>
    public Uri BrokerUri { get; }

    /// <summary>What the services get as <c>ConnectionStrings:messaging</c>: <see cref="BrokerUri"/>, or on a cluster every
    /// node's URI of the virtual host.</summary>
    public string Broker { get; }

    /// <summary><c>classic</c>, or <c>quorum</c> on a cluster (replicated partition, error and delay queues).</summary>
    public string QueueType { get; }

    public OutputLog Log { get; }

    /// <summary>The partitions the provisioned topology has (the default), which the instances also use.</summary>
    public static MessagingOptions Messaging { get; } = new();

    /// <param name="ownBroker">A broker of the test's own instead of the shared one: for a test that kills it.</param>
    /// <param name="ownDatabase">A PostgreSQL cluster of the test's own instead of the shared one: for a test that stops it.</param>
    /// <param name="ownCluster">A RabbitMQ cluster instead of one node: the topology uses quorum queues and the services get
    /// every node.</param>
    public static async Task<ServiceEnvironment> CreateAsync(string name, DatabaseKind database, ITestOutputHelper output,
        RabbitMqNode? ownBroker = null, PostgresCluster? ownDatabase = null, RabbitMqCluster? ownCluster = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var unique = $"{name}-{(database == DatabaseKind.PostgreSql ? "pg" : "lite")}-{Guid.NewGuid().ToString("N")[..8]}";
        var log = new OutputLog(output);
        log.Write($"[test] {unique}: waiting for the broker{(database == DatabaseKind.PostgreSql ? " and database" : string.Empty)}");
        // Both servers start at once on first use; each takes seconds.
        if (database == DatabaseKind.PostgreSql && ownDatabase is null)
            _ = SharedInfrastructure.DatabaseAsync();
        IReadOnlyList<RabbitMqNode> nodes = ownCluster?.Nodes ?? [ownBroker ?? await SharedInfrastructure.BrokerAsync().ConfigureAwait(false)];
        // A virtual host is cluster-wide: created through one node, it exists on all.
        var brokerUri = await nodes[0].CreateVirtualHostAsync(unique).ConfigureAwait(false);
        var brokerUris = nodes.Select(n => new Uri(n.AmqpUri, brokerUri.AbsolutePath)).ToList();
        var queueType = ownCluster is null ? Messaging.QueueType : "quorum";
        await TopologyProvisioner.ProvisionAsync(brokerUri, new MessagingOptions { QueueType = queueType }).ConfigureAwait(false);

        string? sqliteDirectory = null;
        if (database == DatabaseKind.Sqlite)
        {
            sqliteDirectory = Path.Combine(Path.GetTempPath(), "ecommerce-service-tests", unique);
            Directory.CreateDirectory(sqliteDirectory);
        }

        log.Write($"[test] {unique}: virtual host {brokerUri}");
        return new ServiceEnvironment(nodes, unique, brokerUris, queueType, unique, database, sqliteDirectory, log, ownDatabase);
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
        var instance = ServiceProcess.Start(service, name, new ServiceSettings(Broker, await DatabaseAsync(service).ConfigureAwait(false))
        {
            QueueType = QueueType,
            InstanceOrdinal = ordinal,
            InstanceCount = count,
            Environment = environment ?? new Dictionary<string, string>(),
        }, Log.Write);
        lock (_instances)
            _instances.Add(instance);
        return instance;
    }

    /// <summary>Waits until every partition queue of <paramref name="group"/> on <paramref name="topic"/> has at least
    /// <paramref name="consumers"/> consumers (an active one and standbys). Asked over AMQP (a passive declare), which is
    /// current, unlike the management API's statistics; but a quorum queue's declare counts only its active consumer, so on a
    /// cluster the management API is asked.</summary>
    public async Task WaitForPartitionConsumersAsync(string group, string topic, int consumers)
    {
        var queues = Enumerable.Range(0, Messaging.PartitionsOf(topic))
            .Select(p => TopologyNames.GroupQueue(group, topic, p)).ToList();
        var description = $"{consumers} consumer(s) on each of {string.Join(", ", queues)}";
        if (QueueType == "quorum")
        {
            await Poll.UntilAsync(async token =>
            {
                foreach (var queue in queues)
                {
                    var json = await _brokerNodes[0].TryGetManagementAsync($"api/queues/{Uri.EscapeDataString(_virtualHost)}/{queue}", token)
                        .ConfigureAwait(false);
                    if (json is not { } found || !found.TryGetProperty("consumers", out var count) || count.GetInt32() < consumers)
                        return false;
                }

                return true;
            }, TimeSpan.FromSeconds(90), description).ConfigureAwait(false);
            return;
        }

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
            }, TimeSpan.FromSeconds(90), description).ConfigureAwait(false);
        }
    }

    /// <summary>Every queue of this test's virtual host that holds messages (ready/unacked/consumers), from the management API:
    /// what a failing test prints to show where messages are stuck.</summary>
    public async Task<string> DescribeQueuesAsync()
    {
        var queues = await _brokerNodes.First(n => n.IsRunning).TryGetManagementAsync(
                $"api/queues/{Uri.EscapeDataString(_virtualHost)}?columns=name,messages_ready,messages_unacknowledged,consumers")
            .ConfigureAwait(false);
        if (queues is not { } list)
            return "(the management API did not answer)";

        return string.Join("; ", list.EnumerateArray()
            .Select(q => (Name: q.GetProperty("name").GetString(), Ready: Number(q, "messages_ready"), Unacked: Number(q, "messages_unacknowledged"),
                Consumers: Number(q, "consumers")))
            .Where(q => q.Ready + q.Unacked > 0 && !q.Name!.StartsWith("log.", StringComparison.Ordinal))
            .Select(q => $"{q.Name} ready {q.Ready} unacked {q.Unacked} consumers {q.Consumers}"));

        static long Number(System.Text.Json.JsonElement queue, string name) =>
            queue.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetInt64() : 0;
    }

    public async ValueTask DisposeAsync()
    {
        List<ServiceProcess> instances;
        lock (_instances)
            instances = [.. _instances];
        await Task.WhenAll(instances.Select(i => i.DisposeAsync().AsTask())).ConfigureAwait(false);
        try
        {
            // Through a node that runs: a cluster test may leave one down.
            await _brokerNodes.First(n => n.IsRunning).DeleteVirtualHostAsync(_virtualHost).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
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
