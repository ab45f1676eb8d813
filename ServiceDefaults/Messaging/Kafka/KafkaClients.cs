using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>How every Kafka client of the suite is configured.</summary>
public static partial class KafkaClients
{
    /// <summary>The longest a client waits before it retries a request or reconnects to a broker (librdkafka's default: 1 s).
    /// The brokers are on a local network: a few more attempts while one is away cost nothing worth a second of standstill.</summary>
    const int FailoverBackoffMs = 250;

    /// <summary>How often a client asks for the leaders of its topics whether or not anything failed (librdkafka's default:
    /// five minutes). A broker that dies keeps its leaderships until the controller notices (the brokers' session timeout)
    /// and goes on being named the leader in the meantime, so a client that asked right after the death learns nothing; it
    /// learns of the new leaders at its next query, which without this comes only from librdkafka's one-second scan, and
    /// twice over: when the dead broker leaves the metadata, the partitions it led are parked until the next answer.
    /// Measured on the leader-loss benchmark at 500 requests/s: the pause of a partition whose leader died fell from
    /// 3.5–5.3 s (3 runs) to 2.6–3.8 s (8 runs, median 3.0 s) with this, the fetch backoff below and the brokers' replica
    /// fetch backoff together. A metadata request of a few topics is cheap for a broker; four a second from each client is
    /// nothing next to the records.</summary>
    const int MetadataRefreshMs = 250;

    /// <summary>A fetch is answered once it has this many bytes (a few dozen records) or <see cref="FetchWaitMaxMs"/> has passed,
    /// not at the first record (librdkafka's default of one byte). Under load a consumer that asks again the moment it is
    /// answered gets a record or two per fetch, and every fetch costs a broker request and a wake-up of the consumer loop and
    /// its partition workers. Measured on the orders benchmark (SQLite, 12,000 orders, 2026-12-08): with 1 byte and 50 ms,
    /// 302–359 completed/s at 3.3–3.7 ms of order-service CPU and 1.0–1.4 ms of Kafka's per order (9 runs); with 8 KiB and
    /// 5, 10 or 20 ms, 352–398/s at 2.9–3.2 and 0.9–1.1 ms (5 runs: 381 at 5 ms; 352, 375 and 392 at 10; 398 at 20). The
    /// price is up to <see cref="FetchWaitMaxMs"/> per hop when traffic is light.</summary>
    const int FetchMinBytes = 8 * 1024;

    /// <summary>The longest a fetch waits for <see cref="FetchMinBytes"/> (see there).</summary>
    const int FetchWaitMaxMs = 10;

    /// <summary>An idempotent producer (<c>acks=all</c>, at most five requests in flight, so a partition's records are
    /// written once each and in order even across retries) that never gives a record up: a delivery waits for the broker
    /// however long it is away, instead of failing a record while later records of its key succeed. Keys go to the
    /// partition Java clients pick for them (murmur2).</summary>
    public static ProducerConfig Producer(string bootstrapServers, string clientId) => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = clientId,
        EnableIdempotence = true,
        Acks = Acks.All,
        MaxInFlight = 5,
        MessageTimeoutMs = 0,
        Partitioner = Partitioner.Murmur2Random,
        LingerMs = 2,
        BatchNumMessages = 10_000,
        SocketKeepaliveEnable = true,
        ReconnectBackoffMaxMs = FailoverBackoffMs,
        RetryBackoffMaxMs = FailoverBackoffMs,
        TopicMetadataRefreshIntervalMs = MetadataRefreshMs,
    };

    /// <summary>A member of a consumer group on the group protocol of KIP-848 (the broker assigns partitions and times the
    /// heartbeats), offsets committed only by the application, after the records' effects committed.</summary>
    public static ConsumerConfig Consumer(string bootstrapServers, string groupId, string clientId) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = groupId,
        ClientId = clientId,
        GroupProtocol = GroupProtocol.Consumer,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnablePartitionEof = false,
        FetchMinBytes = FetchMinBytes,
        FetchWaitMaxMs = FetchWaitMaxMs,
        // A fetch refused because the partition has just changed leader is asked again after this, not librdkafka's 500 ms.
        FetchErrorBackoffMs = 100,
        SocketKeepaliveEnable = true,
        ReconnectBackoffMaxMs = FailoverBackoffMs,
        RetryBackoffMaxMs = FailoverBackoffMs,
        TopicMetadataRefreshIntervalMs = MetadataRefreshMs,
    };

    public static AdminClientConfig Admin(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        SocketTimeoutMs = 10_000,
    };

    /// <summary>librdkafka's own log, into the host's logging: warnings and errors as such, the rest at debug.</summary>
    public static void Log(ILogger logger, LogMessage message)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(message);
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
        LogClient(logger, level, message.Name, message.Facility, message.Message);
    }

    [LoggerMessage("{Client} {Facility}: {Message}")]
    static partial void LogClient(ILogger logger, LogLevel level, string client, string facility, string message);
}
