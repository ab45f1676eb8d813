using System.Globalization;
using ECommerce.Testing.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>What one test works in: a virtual host of its own on the shared broker (with the topology provisioned, as the
/// AppHost does before any service starts) and databases of its own on the chosen provider, so tests never see each
/// other's queues or rows and can run in parallel.</summary>
public sealed class TestEnvironment : IAsyncDisposable
{
    readonly string _name;
    readonly string _sqliteDirectory;

    TestEnvironment(string name, DatabaseKind database, RabbitMqNode broker, string virtualHost, Uri brokerUri,
        MessagingOptions messaging, OutputLog log)
    {
        _name = name;
        Database = database;
        Broker = broker;
        VirtualHost = virtualHost;
        BrokerUri = brokerUri;
        Messaging = messaging;
        Log = log;
        _sqliteDirectory = Path.Combine(Path.GetTempPath(), "ecommerce-integration", name);
    }

    public DatabaseKind Database { get; }

    public RabbitMqNode Broker { get; }

    public string VirtualHost { get; }

    /// <summary>The AMQP URI of this test's virtual host.</summary>
    public Uri BrokerUri { get; }

    /// <summary>The messaging settings every host of this test gets (and the topology was provisioned with).</summary>
    public MessagingOptions Messaging { get; }

    public OutputLog Log { get; }

    /// <summary>Short timings so that retry, redelivery and failover happen within a test's patience.</summary>
    public static MessagingOptions FastOptions() => new()
    {
        DefaultPartitions = 4,
        StandbyDelay = TimeSpan.FromSeconds(2),
        RetryIntervals = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)],
        RedeliveryIntervals = [TimeSpan.FromSeconds(1)],
        DelayTiers = [TimeSpan.FromSeconds(1)],
        OutboxPollInterval = TimeSpan.FromMilliseconds(200),
        OutboxLease = TimeSpan.FromSeconds(5),
    };

    public static async Task<TestEnvironment> CreateAsync(string name, DatabaseKind database, ITestOutputHelper output,
        Action<MessagingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var unique = $"{name}-{(database == DatabaseKind.PostgreSql ? "pg" : "lite")}-{Guid.NewGuid().ToString("N")[..8]}";
        var messaging = FastOptions();
        configure?.Invoke(messaging);
        var log = new OutputLog(output);

        log.Write($"[test] {unique}: waiting for the shared broker");
        // Both servers start at once on first use; each takes seconds.
        var cluster = database == DatabaseKind.PostgreSql ? SharedInfrastructure.DatabaseAsync() : null;
        var broker = await SharedInfrastructure.BrokerAsync().ConfigureAwait(false);
        var brokerUri = await broker.CreateVirtualHostAsync(unique).ConfigureAwait(false);
        messaging.ManagementUri = broker.ManagementUri;
        await TopologyProvisioner.ProvisionAsync(brokerUri, messaging).ConfigureAwait(false);
        log.Write($"[test] {unique}: virtual host ready at {brokerUri}");
        if (cluster is not null)
        {
            await cluster.ConfigureAwait(false);
            log.Write($"[test] {unique}: shared PostgreSQL ready");
        }

        return new TestEnvironment(unique, database, broker, unique, brokerUri, messaging, log);
    }

    /// <summary>A fresh database for <paramref name="service"/> on this test's provider; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string service)
    {
        if (Database == DatabaseKind.PostgreSql)
        {
            var cluster = await SharedInfrastructure.DatabaseAsync().ConfigureAwait(false);
            return await cluster.CreateDatabaseAsync($"{_name}-{service}".Replace('-', '_')).ConfigureAwait(false);
        }

        Directory.CreateDirectory(_sqliteDirectory);
        return $"Data Source={Path.Combine(_sqliteDirectory, service + ".db")}";
    }

    /// <summary>The configuration of one service instance: broker, its database, and the messaging settings.</summary>
    public Dictionary<string, string?> Configuration(string service, string databaseConnectionString,
        Action<MessagingOptions>? instance = null)
    {
        var options = Copy(Messaging);
        instance?.Invoke(options);
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:messaging"] = BrokerUri.ToString(),
            [$"ConnectionStrings:{service}"] = databaseConnectionString,
            ["Messaging:Transport"] = options.Transport.ToString(),
            ["Messaging:DefaultPartitions"] = Invariant(options.DefaultPartitions),
            ["Messaging:InstanceOrdinal"] = Invariant(options.InstanceOrdinal),
            ["Messaging:InstanceCount"] = Invariant(options.InstanceCount),
            ["Messaging:StandbyDelay"] = Invariant(options.StandbyDelay),
            ["Messaging:QueueType"] = options.QueueType,
            ["Messaging:OutboxPollInterval"] = Invariant(options.OutboxPollInterval),
            ["Messaging:OutboxBatchSize"] = Invariant(options.OutboxBatchSize),
            ["Messaging:OutboxLease"] = Invariant(options.OutboxLease),
            ["Messaging:ManagementUri"] = options.ManagementUri?.ToString(),
            ["Messaging:ConsumerWatchInterval"] = Invariant(options.ConsumerWatchInterval),
            ["Messaging:ConsumerStallAfter"] = Invariant(options.ConsumerStallAfter),
        };
        AddList(settings, "Messaging:RetryIntervals", options.RetryIntervals);
        AddList(settings, "Messaging:RedeliveryIntervals", options.RedeliveryIntervals);
        AddList(settings, "Messaging:DelayTiers", options.DelayTiers);
        foreach (var (topic, partitions) in options.TopicPartitions)
            settings[$"Messaging:TopicPartitions:{topic}"] = Invariant(partitions);
        return settings;
    }

    /// <summary>The same configuration as environment variables, for a child process.</summary>
    public static Dictionary<string, string?> AsEnvironment(Dictionary<string, string?> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Broker.DeleteVirtualHostAsync(VirtualHost).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // Best effort: the whole node is removed at the end of the run anyway.
            Log.Write($"could not delete virtual host {VirtualHost}: {e.Message}");
        }

        if (Directory.Exists(_sqliteDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteDirectory, recursive: true);
        }
    }

    static MessagingOptions Copy(MessagingOptions source) => new()
    {
        Transport = source.Transport,
        DefaultPartitions = source.DefaultPartitions,
        TopicPartitions = new Dictionary<string, int>(source.TopicPartitions, StringComparer.Ordinal),
        InstanceOrdinal = source.InstanceOrdinal,
        InstanceCount = source.InstanceCount,
        StandbyDelay = source.StandbyDelay,
        QueueType = source.QueueType,
        RetryIntervals = [.. source.RetryIntervals],
        RedeliveryIntervals = [.. source.RedeliveryIntervals],
        DelayTiers = [.. source.DelayTiers],
        OutboxPollInterval = source.OutboxPollInterval,
        OutboxBatchSize = source.OutboxBatchSize,
        OutboxLease = source.OutboxLease,
        ManagementUri = source.ManagementUri,
        ConsumerWatchInterval = source.ConsumerWatchInterval,
        ConsumerStallAfter = source.ConsumerStallAfter,
    };

    static void AddList(Dictionary<string, string?> settings, string key, TimeSpan[] values)
    {
        for (var i = 0; i < values.Length; i++)
            settings[$"{key}:{i}"] = Invariant(values[i]);
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    static string Invariant(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
