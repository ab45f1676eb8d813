using Microsoft.Extensions.Configuration;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Configuration section <c>Messaging</c>. Everything about the transport lives here so that a consumer never
/// knows which broker carries its messages.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary><see cref="MessagingTransport.RabbitMq"/> needs <c>ConnectionStrings:messaging</c> (an amqp:// URI).</summary>
    public MessagingTransport Transport { get; set; } = MessagingTransport.RabbitMq;

    /// <summary>Partitions of every keyed topic unless <see cref="TopicPartitions"/> names it. Changing it remaps keys, as in Kafka.</summary>
    public int DefaultPartitions { get; set; } = 4;

    public Dictionary<string, int> TopicPartitions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>This instance's position among the instances of its group (0-based) and how many there are. Each instance
    /// subscribes to its own share of partitions first and to the rest after <see cref="StandbyDelay"/>, so instances started
    /// together split the partitions; the late subscriptions are the standby that takes a partition over when its owner dies.</summary>
    public int InstanceOrdinal { get; set; }

    public int InstanceCount { get; set; } = 1;

    public TimeSpan StandbyDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Messages a keyed topic's partition queue delivers ahead of the one being handled (they are still handled
    /// one at a time, in order). Unacknowledged prefetched messages go back to the queue, in order, if the consumer dies.
    /// A consumer that handles most of its messages in microseconds (the coupon's wake-ups a batch already decided) drains a
    /// short prefetch long before the broker, busy on a loaded machine, delivers the next ones: 16 held a flash sale to about
    /// 1,800 decisions a second, 256 lets it keep up with 2,000.</summary>
    public int KeyedPrefetchCount { get; set; } = 256;

    /// <summary>Age-based retention of the retained log, the stream bound to every partition of every domain topic
    /// (<c>x-max-age</c>: <c>7D</c>, <c>12h</c>, <c>30m</c>…). Applied when a stream is created; RabbitMQ keeps an existing
    /// stream's arguments (change those with a policy).</summary>
    public string LogRetention { get; set; } = "7D";

    /// <summary><c>classic</c> for one node, <c>quorum</c> for a cluster (replicated partition queues).</summary>
    public string QueueType { get; set; } = "classic";

    /// <summary>In-process retries for transient faults, before the message is handed to delayed redelivery.</summary>
    public TimeSpan[] RetryIntervals { get; set; } = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500)];

    /// <summary>Delays of the redeliveries after in-process retries are spent; after the last one the message goes to the
    /// dead-letter (<c>_error</c>) queue.</summary>
    public TimeSpan[] RedeliveryIntervals { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];

    /// <summary>The TTL delay queues that carry redeliveries on RabbitMQ. A redelivery waits in the shortest tier not
    /// shorter than its interval.</summary>
    public TimeSpan[] DelayTiers { get; set; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60)];

    /// <summary>How often the outbox relay looks for rows when no commit has signalled it.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Rows one relay pass reads, publishes and deletes once confirmed. A pass waits once for the broker's confirms, so larger batches
    /// spread that wait over more rows; a flash sale of 2,000 requests a second is 6,000 events a second to relay.</summary>
    public int OutboxBatchSize { get; set; } = 1000;

    /// <summary>How long a relay's lease on the outbox lasts; another instance's relay takes over after it expires.</summary>
    public TimeSpan OutboxLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a consumer remembers a message it applied (its inbox row) and so ignores it if it comes again. Copies
    /// of a message arrive within seconds to minutes (a relay re-publishing after a crash, a broker redelivery, the last
    /// redelivery tier); a week matches the retained log's <see cref="LogRetention"/>. A message that comes back after this
    /// would be applied again.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often <see cref="Inbox.InboxJanitor"/> deletes the inbox rows older than <see cref="InboxRetention"/>.</summary>
    public TimeSpan InboxPurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>RabbitMQ management API (http://host:15672/), for consumer lag (ready and unacknowledged per queue). Without it
    /// lag is read over AMQP, which tells ready messages and consumers but not unacknowledged ones.</summary>
    public Uri? ManagementUri { get; set; }

    /// <summary>How often <see cref="ReceiveEndpointWatchdog"/> asks the broker whether the group's queues have consumers.</summary>
    public TimeSpan ConsumerWatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a queue of the group may have no consumer at all, while the broker answers, before this instance
    /// restarts its receive endpoint on it. Longer than MassTransit's own reconnect back-off (at most 30 s).</summary>
    public TimeSpan ConsumerStallAfter { get; set; } = TimeSpan.FromSeconds(45);

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
        var (retry, redelivery, tiers) = (options.RetryIntervals, options.RedeliveryIntervals, options.DelayTiers);
        section.Bind(options);
        options.RetryIntervals = Configured(section, nameof(RetryIntervals)) ?? retry;
        options.RedeliveryIntervals = Configured(section, nameof(RedeliveryIntervals)) ?? redelivery;
        options.DelayTiers = Configured(section, nameof(DelayTiers)) ?? tiers;
    }

    static TimeSpan[]? Configured(IConfiguration section, string key)
    {
        var list = section.GetSection(key);
        return list.GetChildren().Any() ? list.Get<TimeSpan[]>() : null;
    }

    public int PartitionsOf(string topic) =>
        TopicPartitions.TryGetValue(topic, out var n) ? n : DefaultPartitions;
}
