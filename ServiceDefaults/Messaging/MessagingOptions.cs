using Microsoft.Extensions.Configuration;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Configuration section <c>Messaging</c>. Everything about the transport lives here so that a consumer never
/// knows which broker carries its messages.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary><see cref="MessagingTransport.Kafka"/> needs <c>ConnectionStrings:messaging</c> (bootstrap servers).</summary>
    public MessagingTransport Transport { get; set; } = MessagingTransport.Kafka;

    /// <summary>Put before every topic and consumer group name, so that several suites (the tests) share one broker without
    /// seeing each other's records. Empty in a deployment.</summary>
    public string TopicPrefix { get; set; } = string.Empty;

    /// <summary>Partitions of every topic unless <see cref="TopicPartitions"/> names it. Changing it remaps keys, as in any
    /// Kafka topic; applied when a topic is created.</summary>
    public int DefaultPartitions { get; set; } = 4;

    public Dictionary<string, int> TopicPartitions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long the domain topics keep their records (<c>retention.ms</c>): the log the data platform replays, and
    /// how late a copy of a message can still arrive. Applied when a topic is created.</summary>
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>In-process retries for transient faults, before the record goes to the group's retry topics.</summary>
    public TimeSpan[] RetryIntervals { get; set; } = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500)];

    /// <summary>The group's retry topics: a record that failed its in-process retries waits this long in the first, then the
    /// second…; after the last it goes to the group's dead-letter topic and the service's dead-letter table. (On the in-memory
    /// transport: the delays of MassTransit's delayed redelivery.)</summary>
    public TimeSpan[] RedeliveryIntervals { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];

    /// <summary>Records of one partition fetched ahead of the one being handled. When a partition's buffer is full the
    /// partition is paused rather than fetched without bound.</summary>
    public int PartitionBuffer { get; set; } = 1000;

    /// <summary>How often the offsets of handled records are committed. A crash replays at most this much (the inboxes
    /// absorb the copies); a partition taken away is committed at once.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the outbox relay looks for rows when no commit has signalled it.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Rows one relay pass reads, produces and deletes once their delivery is reported.</summary>
    public int OutboxBatchSize { get; set; } = 1000;

    /// <summary>How long a relay's lease on the outbox lasts; another instance's relay takes over after it expires.</summary>
    public TimeSpan OutboxLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a consumer remembers a message it applied (its inbox row) and so ignores it if it comes again. Copies
    /// of a message arrive within seconds to minutes (a relay re-producing after a crash, a record replayed after a
    /// rebalance, the last retry tier); a week matches <see cref="LogRetention"/>. A message that comes back after this
    /// would be applied again.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often <see cref="Inbox.InboxJanitor"/> deletes the inbox rows older than <see cref="InboxRetention"/>.</summary>
    public TimeSpan InboxPurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often consumer lag and the dead-letter count are sampled for their gauges (see <see cref="Ops.OpsMetrics"/>).</summary>
    public TimeSpan OpsSampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Binds <paramref name="section"/> onto a new instance. Use this rather than <c>Get&lt;MessagingOptions&gt;()</c>:
    /// the configuration binder appends configured array elements to an array property's defaults, so configuring two retry
    /// intervals would yield five (the three defaults first). Here a configured list replaces the default list.</summary>
    public static MessagingOptions From(IConfiguration section)
    {
        var options = new MessagingOptions();
        BindInto(section, options);
        return options;
    }

    /// <summary>Binds <paramref name="section"/> onto <paramref name="options"/>, configured lists replacing default ones.</summary>
    public static void BindInto(IConfiguration section, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var (retry, redelivery) = (options.RetryIntervals, options.RedeliveryIntervals);
        section.Bind(options);
        options.RetryIntervals = Configured(section, nameof(RetryIntervals)) ?? retry;
        options.RedeliveryIntervals = Configured(section, nameof(RedeliveryIntervals)) ?? redelivery;
    }

    static TimeSpan[]? Configured(IConfiguration section, string key)
    {
        var list = section.GetSection(key);
        return list.GetChildren().Any() ? list.Get<TimeSpan[]>() : null;
    }

    public int PartitionsOf(string topic) =>
        TopicPartitions.TryGetValue(topic, out var n) ? n : DefaultPartitions;
}
