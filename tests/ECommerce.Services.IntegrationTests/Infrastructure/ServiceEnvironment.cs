using Confluent.Kafka;
using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>What one test works in: a topic prefix of its own on the shared Kafka node (its topics created as the AppHost does
/// before any service starts; its consumer groups are named with the same prefix), and per service one database of its own (on
/// the shared PostgreSQL cluster, or a SQLite file) that every instance of that service shares, as instances of one service
/// do. Instances started here are stopped when the environment is disposed, and on the shared node the prefix's topics are
/// deleted.</summary>
public sealed class ServiceEnvironment : IAsyncDisposable
{
    readonly string _unique;
    readonly DatabaseKind _kind;
    readonly string? _sqliteDirectory;
    readonly Dictionary<string, string> _databases = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _databaseGate = new(1, 1);
    readonly List<ServiceProcess> _instances = [];
    readonly PostgresCluster? _ownDatabase;
    readonly bool _sharedBroker;

    ServiceEnvironment(string bootstrapServers, MessagingOptions messaging, bool sharedBroker, string unique, DatabaseKind kind,
        string? sqliteDirectory, OutputLog log, PostgresCluster? ownDatabase)
    {
        BootstrapServers = bootstrapServers;
        Messaging = messaging;
        Probe = new GroupProbe(bootstrapServers, messaging);
        _sharedBroker = sharedBroker;
        _ownDatabase = ownDatabase;
        _unique = unique;
        _kind = kind;
        _sqliteDirectory = sqliteDirectory;
        Log = log;
    }

    /// <summary>What the services get as <c>ConnectionStrings:messaging</c>: the node's <c>127.0.0.1:port</c>, or on a cluster
    /// every node's.</summary>
    public string BootstrapServers { get; }

    /// <summary>The messaging options the services run with here: the defaults (partition counts) and this test's
    /// <see cref="MessagingOptions.TopicPrefix"/>.</summary>
    public MessagingOptions Messaging { get; }

    public string TopicPrefix => Messaging.TopicPrefix;

    /// <summary>Questions about this test's topics and consumer groups, asked of the brokers.</summary>
    public GroupProbe Probe { get; }

    public OutputLog Log { get; }

    /// <param name="ownBroker">A broker of the test's own instead of the shared one: for a test that kills it.</param>
    /// <param name="ownDatabase">A PostgreSQL cluster of the test's own instead of the shared one: for a test that stops it.</param>
    /// <param name="ownCluster">A Kafka cluster of the test's own: its topics get three replicas, two in sync required, and the
    /// services get every node.</param>
    public static async Task<ServiceEnvironment> CreateAsync(string name, DatabaseKind database, ITestOutputHelper output,
        KafkaNode? ownBroker = null, PostgresCluster? ownDatabase = null, KafkaCluster? ownCluster = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var unique = $"{name}-{(database == DatabaseKind.PostgreSql ? "pg" : "lite")}-{Guid.NewGuid().ToString("N")[..8]}";
        var log = new OutputLog(output);
        log.Write($"[test] {unique}: waiting for the broker{(database == DatabaseKind.PostgreSql ? " and database" : string.Empty)}");
        // Both servers start at once on first use; each takes seconds.
        if (database == DatabaseKind.PostgreSql && ownDatabase is null)
            _ = SharedInfrastructure.DatabaseAsync();
        var sharedBroker = ownBroker is null && ownCluster is null;
        var bootstrap = ownCluster?.BootstrapServers ?? (ownBroker ?? await SharedInfrastructure.BrokerAsync().ConfigureAwait(false)).BootstrapServer;
        // A topic name may hold letters, digits, '.', '_' and '-': the unique name qualifies as it is.
        var messaging = new MessagingOptions { TopicPrefix = unique + "." };
        var created = await KafkaTopics.EnsureAsync(bootstrap, messaging).ConfigureAwait(false);

        string? sqliteDirectory = null;
        if (database == DatabaseKind.Sqlite)
        {
            sqliteDirectory = Path.Combine(Path.GetTempPath(), "ecommerce-service-tests", unique);
            Directory.CreateDirectory(sqliteDirectory);
        }

        log.Write($"[test] {unique}: {created.Count} topics created with prefix '{messaging.TopicPrefix}' on {bootstrap}");
        return new ServiceEnvironment(bootstrap, messaging, sharedBroker, unique, database, sqliteDirectory, log, ownDatabase);
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

    /// <summary>Starts an instance of <paramref name="service"/> on a free port, on the service's database and topics in this
    /// test; it is stopped with the environment. Which partitions it gets is the group protocol's business.</summary>
    public async Task<ServiceProcess> StartInstanceAsync(string service, string name, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new ServiceSettings(BootstrapServers, TopicPrefix, await DatabaseAsync(service).ConfigureAwait(false))
        {
            Environment = environment ?? new Dictionary<string, string>(),
        };
        var instance = ServiceProcess.Start(service, name, settings, Log.Write);
        lock (_instances)
            _instances.Add(instance);
        return instance;
    }

    /// <summary>Waits until every partition of <paramref name="topic"/> is owned by exactly one of <paramref name="owners"/>,
    /// as they report it, and each of them owns partitions of <paramref name="group"/>; returns who owns which partition of
    /// the topic. What "the consumers are up" means on Kafka: the coordinator has handed every partition out and the members
    /// took them — a member that died without leaving keeps its partitions until the brokers' session timeout, so a survivor
    /// owning them all means the coordinator has declared the dead one gone.</summary>
    public async Task<IReadOnlyDictionary<int, ServiceProcess>> WaitForOwnersAsync(string group, string topic, IReadOnlyCollection<ServiceProcess> owners,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var partitions = Messaging.PartitionsOf(topic);
        Dictionary<int, ServiceProcess> owned = [];
        try
        {
            await Poll.UntilAsync(() =>
            {
                foreach (var owner in owners)
                {
                    if (owner.HasExited)
                        throw new InvalidOperationException($"{owner.Name} exited:{Environment.NewLine}{owner.RecentOutput}");
                }

                if (owners.Any(o => o.Assignments.Of(group).Count == 0))
                    return false;
                var claims = owners.SelectMany(o => o.Assignments.Of(group).Where(p => p.Topic == topic).Select(p => (p.Partition, Owner: o))).ToList();
                owned = claims.DistinctBy(c => c.Partition).ToDictionary(c => c.Partition, c => c.Owner);
                return claims.Count == partitions && owned.Count == partitions;
            }, timeout ?? TimeSpan.FromSeconds(90), $"{string.Join(", ", owners.Select(o => o.Name))} to own every partition of {topic} in group {group}",
                interval: TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} They own: {DescribeAssignments(group, owners)}", e);
        }

        Log.Write($"[test] group {group}: {string.Join(", ", Enumerable.Range(0, partitions).Select(p => $"{topic}[{p}] {owned[p].Name}"))}");
        return owned;
    }

    /// <summary>What the running instances say they own in <paramref name="group"/>, and where the group's commits stand against
    /// the partitions' end offsets: what a failing test prints to show where records are stuck.</summary>
    public async Task<string> DescribeGroupAsync(string group)
    {
        List<ServiceProcess> instances;
        lock (_instances)
            instances = _instances.Where(i => !i.HasExited).ToList();
        var description = $"instances own: {DescribeAssignments(group, instances)}; lag: ";
        try
        {
            var positions = await Probe.PositionsAsync(group, MessageCatalog.TopicsOf(group).Concat(KafkaNames.FailureTopics(new MessagingOptions(), group)))
                .ConfigureAwait(false);
            return description + string.Join(", ", positions.Where(p => p.Lag > 0).Select(p => $"{p.Topic}[{p.Partition}] {p.Committed}/{p.End}"));
        }
        catch (KafkaException e)
        {
            return description + $"(the brokers did not answer: {e.Error.Reason})";
        }
    }

    static string DescribeAssignments(string group, IEnumerable<ServiceProcess> instances) =>
        string.Join("; ", instances.Select(i => $"{i.Name} {string.Join(" ", i.Assignments.Of(group).Select(p => $"{p.Topic}[{p.Partition}]"))}"));

    public async ValueTask DisposeAsync()
    {
        List<ServiceProcess> instances;
        lock (_instances)
            instances = [.. _instances];
        await Task.WhenAll(instances.Select(i => i.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (_sharedBroker)
        {
            try
            {
                await Probe.DeleteTopicsAsync().ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                // Best effort: the whole node is removed at the end of the run anyway.
                Log.Write($"could not delete the topics of {TopicPrefix}: {e.Message}");
            }
        }

        Probe.Dispose();
        if (_sqliteDirectory is not null && Directory.Exists(_sqliteDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteDirectory, recursive: true);
        }

        _databaseGate.Dispose();
    }
}
