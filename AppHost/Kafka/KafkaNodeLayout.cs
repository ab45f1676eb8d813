using System.Globalization;
using System.Text;

namespace ECommerce.AppHost.Kafka;

// The type is public in the AppHost. ECommerce.Testing compiles this file too (linked, KAFKA_SOURCE_INTERNAL): there it is internal,
// or a project that references both assemblies (ECommerce.AppHost.Tests) could not name the type (CS0433).
/// <summary>One Apache Kafka node in KRaft combined mode (broker and controller in one process), isolated in a directory
/// of its own: its <c>server.properties</c>, logging configuration, data directory and the command line that runs it. The
/// AppHost's broker resource and the tests' launcher both lay nodes out through this class, so a test's broker is the
/// AppHost's broker.</summary>
/// <param name="Directory">The node's own directory; its log segments live in <c>data/</c> below it.</param>
/// <param name="NodeId">1-based; also its position among <paramref name="Voters"/>.</param>
/// <param name="Voters">Every node of the cluster as <c>(id, controller port)</c>; the same list on every node.</param>
#if KAFKA_SOURCE_INTERNAL
internal
#else
public
#endif
sealed record KafkaNodeLayout(string Directory, int NodeId, int Port, int ControllerPort, IReadOnlyList<(int Id, int ControllerPort)> Voters)
{
    /// <summary>Heap of the broker's JVM: 330 MiB resident with this bound, measured (../shared/kafka/README.md).</summary>
    public const string MaxHeap = "512m";

    public string DataDirectory => Path.Combine(Directory, "data");

    public string PropertiesPath => Path.Combine(Directory, "server.properties");

    public string LoggingPath => Path.Combine(Directory, "log4j2.properties");

    public string BootstrapServer => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public bool IsFormatted => File.Exists(Path.Combine(DataDirectory, "meta.properties"));

    /// <summary>A three-node cluster replicates every partition three times and accepts a write once two replicas hold it.</summary>
    public int ReplicationFactor => Voters.Count >= 3 ? 3 : 1;

    public int MinInSyncReplicas => Voters.Count >= 3 ? 2 : 1;

    /// <summary>The JVM's arguments for running the node (the program is <c>java</c>).</summary>
    public IReadOnlyList<string> RunArguments(string kafkaHome) =>
    [
        "-Xms256m", $"-Xmx{MaxHeap}", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
        $"-Dlog4j2.configurationFile={LoggingPath}", "-cp", Path.Combine(kafkaHome, "libs", "*"), "kafka.Kafka", PropertiesPath,
    ];

    /// <summary>The JVM's arguments for formatting the node's storage once, before its first run. A tool that runs for under a
    /// second is better off with the client compiler alone and the serial collector: 0.8 instead of 1.25 s of CPU, on a first
    /// start where the AppHost, the dashboard and the other nodes want the same two cores.</summary>
    public IReadOnlyList<string> FormatArguments(string kafkaHome, string clusterId) =>
    [
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        // --cluster-id=<id> in one argument: as "-t <id>", an id that starts with '-' would be taken for an option.
        $"-Dlog4j2.configurationFile={LoggingPath}", "-cp", Path.Combine(kafkaHome, "libs", "*"), "kafka.tools.StorageTool",
        "format", $"--cluster-id={clusterId}", "-c", PropertiesPath,
    ];

    /// <summary>Writes <c>server.properties</c> and the logging configuration (every start, so a changed port applies).</summary>
    public async Task WriteConfigurationAsync(IReadOnlyDictionary<string, string>? extra = null, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var voters = string.Join(',', Voters.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Id}@127.0.0.1:{v.ControllerPort}")));
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["process.roles"] = "broker,controller",
            ["node.id"] = Invariant(NodeId),
            ["controller.quorum.voters"] = voters,
            ["listeners"] = $"PLAINTEXT://127.0.0.1:{Invariant(Port)},CONTROLLER://127.0.0.1:{Invariant(ControllerPort)}",
            ["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{Invariant(Port)}",
            ["controller.listener.names"] = "CONTROLLER",
            ["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            ["inter.broker.listener.name"] = "PLAINTEXT",
            ["log.dirs"] = DataDirectory,
            ["offsets.topic.replication.factor"] = Invariant(ReplicationFactor),
            ["offsets.topic.num.partitions"] = "8",
            ["transaction.state.log.replication.factor"] = Invariant(ReplicationFactor),
            ["transaction.state.log.min.isr"] = Invariant(MinInSyncReplicas),
            ["default.replication.factor"] = Invariant(ReplicationFactor),
            ["min.insync.replicas"] = Invariant(MinInSyncReplicas),
            // Topics are created explicitly with their partitions and retention: a typo must fail, not make a topic.
            ["auto.create.topics.enable"] = "false",
            ["group.initial.rebalance.delay.ms"] = "0",
            // The consumer group protocol of KIP-848: the broker sets the heartbeat and session of its members. A member that
            // dies is noticed after the session timeout; a second between heartbeats moves partitions within seconds.
            ["group.consumer.heartbeat.interval.ms"] = "1000",
            ["group.consumer.min.heartbeat.interval.ms"] = "500",
            ["group.consumer.session.timeout.ms"] = "10000",
            ["group.consumer.min.session.timeout.ms"] = "6000",
            ["replica.lag.time.max.ms"] = "5000",
            // A follower whose fetch failed (its leader died, or the new leader does not know yet that it leads) asks again after
            // this, not after a second: until it has fetched from the new leader, no acks=all write there completes.
            ["replica.fetch.backoff.ms"] = "100",
            ["num.partitions"] = "4",
        };
        if (Voters.Count > 1)
        {
            // A broker that dies is noticed in two seconds, not nine (measured: the longest pause after a leader's SIGKILL
            // 1.9 s against 9.4 s with the defaults, ../shared/kafka/README.md). A lone node has no one to hand its
            // leaderships to, and with two seconds a starved JVM fences itself: its own controller, too busy to take its
            // heartbeat in time, declares it dead, and every partition is offline until it registers again (seen in CI
            // under load: "controller event queue overloaded. Timed out heartbeat from broker 1").
            properties["broker.session.timeout.ms"] = "2000";
            properties["broker.heartbeat.interval.ms"] = "500";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            properties[key] = value;
        var text = new StringBuilder();
        foreach (var (key, value) in properties)
            text.Append(key).Append('=').Append(value).Append('\n');
        await File.WriteAllTextAsync(PropertiesPath, text.ToString(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(LoggingPath, Logging, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A cluster id as Kafka's StorageTool expects it: a random UUID in URL-safe base64 without padding. Like
    /// Kafka's own <c>Uuid.randomUuid()</c>, never one that starts with '-' (one in 64 would), which command-line parsers
    /// take for an option.</summary>
    public static string NewClusterId()
    {
        while (true)
        {
            var id = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            if (id[0] != '-')
                return id;
        }
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The broker's own narration at INFO (start, shutdown, partition leadership), everything else from WARN, on the
    /// console, which the dashboard shows.</summary>
    const string Logging = """
        status = warn
        appender.console.type = Console
        appender.console.name = STDOUT
        appender.console.layout.type = PatternLayout
        appender.console.layout.pattern = [%d] %p %m (%c)%n
        rootLogger.level = WARN
        rootLogger.appenderRef.stdout.ref = STDOUT
        logger.kafka.name = kafka
        logger.kafka.level = INFO
        logger.server.name = org.apache.kafka.server
        logger.server.level = INFO
        """;
}
