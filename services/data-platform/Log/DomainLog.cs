using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;

namespace ECommerce.DataPlatform.Log;

/// <summary>The retained log: every partition of every domain topic on Kafka, which keeps its records for
/// <c>Messaging:LogRetention</c> whether or not they were read. The data platform reads it without a consumer group: it
/// assigns itself every partition and keeps its positions in its own database, in the transactions that apply the records,
/// which offsets committed to Kafka could not join. One admin client serves every metadata and offset query for the
/// instance's life (the lag report asks every few seconds, the ingest when its reader has been quiet).</summary>
public sealed class DomainLog(string bootstrapServers, MessagingOptions messaging, ILogger<DomainLog> logger) : IDisposable
{
    static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(KafkaClients.Admin(bootstrapServers))
        .SetLogHandler((_, message) => KafkaClients.Log(logger, message))
        .Build());

    readonly string _clientId = $"data-platform-{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The domain topics (the command channels are work queues, not part of the log).</summary>
    public static IReadOnlyList<string> Topics { get; } = TopicCatalog.All.Where(t => !t.IsCommandChannel).Select(t => t.Name).ToList();

    /// <summary>Every partition of every domain topic, as the brokers report them. A topic the broker lacks is created (with
    /// the rest of the suite's topics, idempotently) rather than waited for, as the services' consumers create theirs: the
    /// data platform may be the first to start against a broker nobody prepared. Partition counts are fixed when a topic is
    /// created (more would remap keys), so they are read once per reading session.</summary>
    public async Task<IReadOnlyList<LogPartition>> PartitionsAsync(CancellationToken cancellationToken)
    {
        var found = await DescribeAsync().ConfigureAwait(false);
        if (found.Count < Topics.Count)
        {
            await KafkaTopics.EnsureAsync(bootstrapServers, messaging, cancellationToken).ConfigureAwait(false);
            found = await DescribeAsync().ConfigureAwait(false);
        }

        if (Topics.FirstOrDefault(t => !found.ContainsKey(t)) is { } missing)
            throw new InvalidOperationException($"Topic '{KafkaNames.Topic(messaging, missing)}' does not exist and could not be created.");
        return Flatten(found);
    }

    /// <summary>The partitions of the domain topics that exist, without creating any: what a report (the lag) reads. A topic
    /// not created yet has no records to read or lag behind.</summary>
    public async Task<IReadOnlyList<LogPartition>> ExistingPartitionsAsync() => Flatten(await DescribeAsync().ConfigureAwait(false));

    static List<LogPartition> Flatten(Dictionary<string, List<int>> found) =>
        found.SelectMany(t => t.Value.Select(p => new LogPartition(t.Key, p)))
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)
            .ToList();

    /// <summary>The partitions of each domain topic the brokers know, by the topic's name in the suite. Asked with the admin
    /// API's asynchronous describe rather than a metadata request, which would block a thread-pool thread while it waits.</summary>
    async Task<Dictionary<string, List<int>>> DescribeAsync()
    {
        var byKafkaName = Topics.ToDictionary(t => KafkaNames.Topic(messaging, t), StringComparer.Ordinal);
        List<TopicDescription> descriptions;
        try
        {
            descriptions = (await _admin.Value.DescribeTopicsAsync(TopicCollection.OfTopicNames(byKafkaName.Keys),
                new DescribeTopicsOptions { RequestTimeout = MetadataTimeout }).ConfigureAwait(false)).TopicDescriptions;
        }
        catch (DescribeTopicsException e)
        {
            // Thrown when any topic is missing; the others are described in it all the same.
            descriptions = e.Results.TopicDescriptions;
        }

        return descriptions.Where(d => d.Error.Code == ErrorCode.NoError && d.Partitions.Count > 0 && byKafkaName.ContainsKey(d.Name))
            .ToDictionary(d => byKafkaName[d.Name], d => d.Partitions.Select(p => p.Partition).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The earliest offset each partition still retains (its log-start offset; the end offset when it is empty).</summary>
    public Task<Dictionary<LogPartition, long>> EarliestOffsetsAsync(IReadOnlyCollection<LogPartition> partitions, CancellationToken cancellationToken) =>
        ListOffsetsAsync(partitions, OffsetSpec.Earliest(), cancellationToken);

    /// <summary>How far the log is ahead of <paramref name="applied"/> (each partition's last applied offset) in every partition.
    /// The end is the last stable offset: the reader reads committed records only, and the suite's producers are not
    /// transactional, so it is the high watermark.</summary>
    public async Task<List<PartitionBacklog>> BacklogAsync(IReadOnlyList<LogPartition> partitions, IReadOnlyDictionary<LogPartition, long> applied,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(applied);
        var ends = await ListOffsetsAsync(partitions, OffsetSpec.Latest(), cancellationToken).ConfigureAwait(false);
        var earliest = await EarliestOffsetsAsync(partitions.Where(p => !applied.ContainsKey(p)).ToList(), cancellationToken).ConfigureAwait(false);
        return PartitionBacklog.Of(partitions, applied, earliest, ends);
    }

    async Task<Dictionary<LogPartition, long>> ListOffsetsAsync(IReadOnlyCollection<LogPartition> partitions, OffsetSpec spec,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0)
            return [];
        cancellationToken.ThrowIfCancellationRequested();
        var result = await _admin.Value.ListOffsetsAsync(
                partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = KafkaPartition(p), OffsetSpec = spec }),
                new ListOffsetsOptions { RequestTimeout = MetadataTimeout, IsolationLevel = IsolationLevel.ReadCommitted })
            .ConfigureAwait(false);
        var byKafkaPartition = partitions.ToDictionary(KafkaPartition);
        return result.ResultInfos.ToDictionary(i => byKafkaPartition[i.TopicPartitionOffsetError.TopicPartition], i => i.TopicPartitionOffsetError.Offset.Value);
    }

    /// <summary>Starts reading <paramref name="from"/>: each partition from its offset (or <see cref="Offset.Beginning"/>).</summary>
    /// <param name="capacity">Records read ahead of the caller; reading pauses when that many wait.</param>
    public LogReader Open(IReadOnlyCollection<(LogPartition Partition, Offset Start)> from, int capacity)
    {
        ArgumentNullException.ThrowIfNull(from);
        return new LogReader(ReaderConfig(), from.Select(f => (f.Partition, new TopicPartitionOffset(KafkaPartition(f.Partition), f.Start))).ToList(),
            capacity, logger);
    }

    TopicPartition KafkaPartition(LogPartition partition) => new(KafkaNames.Topic(messaging, partition.Topic), partition.Partition);

    public void Dispose()
    {
        if (_admin.IsValueCreated)
            _admin.Value.Dispose();
    }

    /// <summary>The suite's consumer settings (no auto-commit, no offset store, earliest when out of range). The client wants a
    /// group id even for assigned partitions: a unique one that is never committed to, on the classic protocol, so the broker
    /// never sees a member (only subscribing joins a group).</summary>
    ConsumerConfig ReaderConfig()
    {
        var config = KafkaClients.Consumer(bootstrapServers, KafkaNames.Group(messaging, $"data-platform.reader-{Guid.NewGuid():N}"), _clientId);
        config.GroupProtocol = GroupProtocol.Classic;
        // Read only when a reader seems stuck (LogReader.Describe); a few kilobytes of JSON every few seconds.
        config.StatisticsIntervalMs = 5000;
        return config;
    }
}
