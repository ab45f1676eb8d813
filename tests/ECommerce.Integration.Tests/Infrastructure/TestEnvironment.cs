using System.Globalization;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>What one test works in: a topic prefix of its own on the shared Kafka node (its topics created up front, as the
/// AppHost does before any service starts; its consumer groups carry the prefix too) and databases of its own on the chosen
/// provider, so tests never see each other's records, offsets or rows and can run in parallel.</summary>
public sealed class TestEnvironment : IAsyncDisposable
{
    readonly string _name;
    readonly string _sqliteDirectory;
    readonly Lazy<ContractProducer> _producer;
    readonly Lazy<GroupProbe> _groups;

    TestEnvironment(string name, DatabaseKind database, KafkaNode broker, MessagingOptions messaging, OutputLog log)
    {
        _name = name;
        Database = database;
        Broker = broker;
        Messaging = messaging;
        Log = log;
        _sqliteDirectory = Path.Combine(Path.GetTempPath(), "ecommerce-integration", name);
        _producer = new(() => new ContractProducer(BootstrapServers, Messaging));
        _groups = new(() => new GroupProbe(BootstrapServers, Messaging));
    }

    /// <summary>The test's unique name (<c>&lt;test&gt;-&lt;pg|lite&gt;-&lt;id&gt;</c>), in front of its hosts' log lines.</summary>
    public string Name => _name;

    public DatabaseKind Database { get; }

    public KafkaNode Broker { get; }

    public string BootstrapServers => Broker.BootstrapServer;

    /// <summary>The messaging settings every host of this test gets (and the topics were created with), its topic prefix
    /// included.</summary>
    public MessagingOptions Messaging { get; }

    public OutputLog Log { get; }

    /// <summary>Produces contract records to this test's topics as a relay does, with message ids of the test's choosing.</summary>
    public ContractProducer Producer => _producer.Value;

    /// <summary>Reads this test's consumer groups' offsets and members from the broker.</summary>
    public GroupProbe Groups => _groups.Value;

    /// <summary>Short timings so that retry, redelivery and failover happen within a test's patience.</summary>
    public static MessagingOptions FastOptions() => new()
    {
        Transport = MessagingTransport.Kafka,
        DefaultPartitions = 4,
        RetryIntervals = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)],
        RedeliveryIntervals = [TimeSpan.FromSeconds(1)],
        OutboxPollInterval = TimeSpan.FromMilliseconds(200),
        OutboxLease = TimeSpan.FromSeconds(5),
    };

    /// <param name="broker">A node of the test's own (one it pauses or kills); the shared node when null.</param>
    public static async Task<TestEnvironment> CreateAsync(string name, DatabaseKind database, ITestOutputHelper output,
        Action<MessagingOptions>? configure = null, KafkaNode? broker = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var id = Guid.NewGuid().ToString("N")[..8];
        var unique = $"{name}-{(database == DatabaseKind.PostgreSql ? "pg" : "lite")}-{id}";
        var messaging = FastOptions();
        configure?.Invoke(messaging);
        messaging.TopicPrefix = $"t-{id}.";
        var log = new OutputLog(output);

        log.Write($"[test] {unique}: waiting for the shared broker");
        // Both servers start at once on first use; each takes seconds.
        var cluster = database == DatabaseKind.PostgreSql ? SharedInfrastructure.DatabaseAsync() : null;
        broker ??= await SharedInfrastructure.BrokerAsync().ConfigureAwait(false);
        var created = await KafkaTopics.EnsureAsync(broker.BootstrapServer, messaging).ConfigureAwait(false);
        await WaitUntilServedAsync(broker.BootstrapServer, created).ConfigureAwait(false);
        log.Write($"[test] {unique}: {created.Count} topics created under prefix {messaging.TopicPrefix} on {broker.BootstrapServer}");
        if (cluster is not null)
        {
            await cluster.ConfigureAwait(false);
            log.Write($"[test] {unique}: shared PostgreSQL ready");
        }

        return new TestEnvironment(unique, database, broker, messaging, log);
    }

    /// <summary>Waits until the broker's metadata lists every one of <paramref name="topics"/> with a leader for each partition.
    /// The controller has them once CreateTopics returns, but the broker serves them only after it has applied that change
    /// (created each partition's log); until then a client asking for them hears "unknown topic".</summary>
    static async Task WaitUntilServedAsync(string bootstrapServers, IReadOnlyList<string> topics)
    {
        using var admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
        await Poll.UntilAsync(() =>
        {
            var served = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics
                .Where(t => t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0 && t.Partitions.TrueForAll(p => p.Leader >= 0))
                .Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
            return topics.All(served.Contains);
        }, TimeSpan.FromSeconds(60), $"the broker to serve the {topics.Count} topics just created").ConfigureAwait(false);
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

    /// <summary>The configuration of one service instance: the broker, its database, and the messaging settings.</summary>
    public Dictionary<string, string?> Configuration(string service, string databaseConnectionString,
        Action<MessagingOptions>? instance = null)
    {
        var options = Copy(Messaging);
        instance?.Invoke(options);
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:messaging"] = BootstrapServers,
            [$"ConnectionStrings:{service}"] = databaseConnectionString,
            ["Messaging:Transport"] = options.Transport.ToString(),
            ["Messaging:TopicPrefix"] = options.TopicPrefix,
            ["Messaging:DefaultPartitions"] = Invariant(options.DefaultPartitions),
            ["Messaging:PartitionBuffer"] = Invariant(options.PartitionBuffer),
            ["Messaging:CommitInterval"] = Invariant(options.CommitInterval),
            ["Messaging:OutboxPollInterval"] = Invariant(options.OutboxPollInterval),
            ["Messaging:OutboxBatchSize"] = Invariant(options.OutboxBatchSize),
            ["Messaging:OutboxLease"] = Invariant(options.OutboxLease),
        };
        AddList(settings, "Messaging:RetryIntervals", options.RetryIntervals);
        AddList(settings, "Messaging:RedeliveryIntervals", options.RedeliveryIntervals);
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

    /// <summary>Deletes the test's topics (their consumer groups' offsets go with them) and its SQLite files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_producer.IsValueCreated)
            _producer.Value.Dispose();
        if (_groups.IsValueCreated)
            _groups.Value.Dispose();
        try
        {
            using var admin = new AdminClientBuilder(KafkaClients.Admin(BootstrapServers)).SetLogHandler((_, _) => { }).Build();
            var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic)
                .Where(t => t.StartsWith(Messaging.TopicPrefix, StringComparison.Ordinal)).ToList();
            if (topics.Count > 0)
                await admin.DeleteTopicsAsync(topics).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            // Best effort: the whole node is removed at the end of the run anyway.
            Log.Write($"could not delete the topics under {Messaging.TopicPrefix}: {e.Message}");
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
        TopicPrefix = source.TopicPrefix,
        DefaultPartitions = source.DefaultPartitions,
        TopicPartitions = new Dictionary<string, int>(source.TopicPartitions, StringComparer.Ordinal),
        RetryIntervals = [.. source.RetryIntervals],
        RedeliveryIntervals = [.. source.RedeliveryIntervals],
        PartitionBuffer = source.PartitionBuffer,
        CommitInterval = source.CommitInterval,
        OutboxPollInterval = source.OutboxPollInterval,
        OutboxBatchSize = source.OutboxBatchSize,
        OutboxLease = source.OutboxLease,
    };

    static void AddList(Dictionary<string, string?> settings, string key, TimeSpan[] values)
    {
        for (var i = 0; i < values.Length; i++)
            settings[$"{key}:{i}"] = Invariant(values[i]);
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    static string Invariant(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
