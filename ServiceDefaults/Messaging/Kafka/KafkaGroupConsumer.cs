using System.Diagnostics;
using Confluent.Kafka;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>One member of a consumer group: reads the group's topics, its retry topics and its dead-letter topic, and hands
/// each assigned partition to a <see cref="PartitionWorker"/> of its own, so a partition is handled in order, one record at
/// a time, while partitions proceed in parallel. What the workers finished (their effects committed) is stored as the
/// partitions' offsets, which the client commits in the background every <see cref="MessagingOptions.CommitInterval"/>, and
/// which are committed at once when a partition is taken away. A partition whose buffer is full is paused until its worker
/// catches up. The group protocol is KIP-848's: the broker assigns partitions incrementally, so a member joining or leaving
/// moves only the partitions that change hands.</summary>
internal sealed partial class KafkaGroupConsumer
{
    static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    /// <summary>How long the member may take to hand partitions over; the longest a group stands still when a member never
    /// learns of its new assignment (see <see cref="Consume"/>).</summary>
    static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a revocation waits for the records in hand; what is still running then is abandoned and handled again
    /// by the next owner. Well below <see cref="RebalanceTimeout"/>, so the commit that follows lands before the coordinator
    /// would fence the member for taking too long.</summary>
    static readonly TimeSpan RevokePatience = TimeSpan.FromSeconds(10);

    readonly string _bootstrap;
    readonly MessagingOptions _options;
    readonly string _group;
    readonly Dictionary<string, DispatchEndpoint> _byTopic;
    readonly Dictionary<string, DispatchEndpoint> _byOrigin;
    readonly IServiceScopeFactory _scopes;
    readonly TimeProvider _clock;
    readonly ILogger _logger;
    readonly Dictionary<TopicPartition, PartitionWorker> _workers = [];
    readonly CancellationTokenSource _stopping = new();
    readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    FailurePolicy? _failures;
    KafkaDeadLetterRecorder? _deadLetters;
    volatile IReadOnlyList<(string Topic, int Partition)> _assignment = [];

    public KafkaGroupConsumer(string bootstrap, MessagingOptions options, string group, IReadOnlyList<DispatchEndpoint> endpoints,
        IServiceScopeFactory scopes, TimeProvider clock, ILogger<KafkaGroupConsumer> logger)
    {
        _bootstrap = bootstrap;
        _options = options;
        _group = group;
        _byTopic = endpoints.ToDictionary(e => KafkaNames.Topic(options, e.Topic), StringComparer.Ordinal);
        _byOrigin = endpoints.ToDictionary(e => e.Topic, StringComparer.Ordinal);
        _scopes = scopes;
        _clock = clock;
        _logger = logger;
        ClientId = $"{group}-{Environment.MachineName}-{Environment.ProcessId}";
    }

    public string Group => _group;

    /// <summary>Every topic the member reads (with the suite's prefix): the group's topics, retry topics and dead-letter topic.</summary>
    public IReadOnlySet<string> Topics => _byTopic.Keys.Concat(KafkaNames.FailureTopics(_options, _group)).ToHashSet(StringComparer.Ordinal);

    /// <summary>This member's client id, as the group's description and <c>/ops/consumers</c> show it.</summary>
    public string ClientId { get; }

    /// <summary>The partitions this member owns (topics without the suite's prefix).</summary>
    public IReadOnlyList<(string Topic, int Partition)> Assignment => _assignment;

    /// <summary>Why the loop stopped, if it failed.</summary>
    public Exception? Fault { get; private set; }

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = $"kafka-{_group}" };
        thread.Start();
    }

    /// <summary>Finishes the records in hand, commits, leaves the group.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    void Run()
    {
        try
        {
            EnsureTopics();
            _failures = new FailurePolicy(_options, _group, ServiceProducer(), _clock, _logger);
            _deadLetters = new KafkaDeadLetterRecorder(_scopes, _group, _clock);
            Consume();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped before it began.
        }
#pragma warning disable CA1031 // Reported through the health check: the service turns unhealthy instead of crashing.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fault = e;
            LogLoopFailed(_logger, _group, e);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    IProducer<string?, byte[]> ServiceProducer()
    {
        using var scope = _scopes.CreateScope();
        return scope.ServiceProvider.GetRequiredService<KafkaProducer>().Producer;
    }

    /// <summary>Creates what is missing of the topics this member reads (on a broker the AppHost prepared, nothing).</summary>
    void EnsureTopics()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                KafkaTopics.EnsureGroupAsync(_bootstrap, _options, _group, _byOrigin.Keys, _stopping.Token).GetAwaiter().GetResult();
                return;
            }
            catch (KafkaException e)
            {
                LogTopicsNotReady(_logger, _group, e.Error.Reason);
                _stopping.Token.WaitHandle.WaitOne(delay);
                _stopping.Token.ThrowIfCancellationRequested();
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    void Consume()
    {
        var config = KafkaClients.Consumer(_bootstrap, KafkaNames.Group(_options, _group), ClientId);
        // The broker's default (uniform) assignor balances the total number of partitions, so a member that joins can be given
        // only retry and dead-letter partitions while another keeps every partition of the domain topics: more instances, no
        // more throughput. Range gives each member its share of every topic.
        config.GroupRemoteAssignor = "range";
        // Under KIP-848 this is the rebalance timeout the member announces: how long the coordinator waits for it to give up
        // partitions moving elsewhere before it fences the member (its partitions lost, handled again from their last
        // commits, which the inboxes make harmless). That is the only way out when the heartbeat answer carrying a member's
        // new assignment never reaches it (the broker stalled past the request's timeout, one heartbeat interval):
        // librdkafka 2.16 heartbeats on with its old epoch and without its partitions, the coordinator does not send the
        // assignment again, and the member joining waits for the revocation: with librdkafka's 300 s, up to five minutes
        // (past 60 s in every reproduction). The loop never blocks (records are handled on partition workers) but in a
        // revocation, which RevokePatience keeps well below this.
        config.MaxPollIntervalMs = (int)RebalanceTimeout.TotalMilliseconds;
        // The loop never waits for a commit: the coordinator's answer can take as long as the offsets topic needs to drop a
        // dead broker from its replicas (the failure detection), and a loop blocked in a commit hands no record to any
        // worker meanwhile, so partitions whose leaders are alive would stop too. The client commits the stored offsets
        // from its own thread instead; only what a worker finished is ever stored.
        config.EnableAutoCommit = true;
        config.AutoCommitIntervalMs = (int)_options.CommitInterval.TotalMilliseconds;
        using var consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetLogHandler((_, message) => KafkaClients.Log(_logger, message))
            .SetErrorHandler((_, error) => LogConsumerError(_logger, _group, error.Code, error.Reason))
            .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => Revoked(c, partitions.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((c, partitions) => Lost(c, partitions.Select(p => p.TopicPartition)))
            .Build();
        var topics = _byTopic.Keys.Concat(_failures!.RetryTiers.Keys).Append(_failures.DeadLetterTopic).ToList();
        consumer.Subscribe(topics);
        LogSubscribed(_logger, _group, ClientId, string.Join(", ", topics));

        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var record = consumer.Consume(PollTimeout);
                if (record is not null)
                    Route(consumer, record);
            }
            catch (ConsumeException e)
            {
                LogConsumeFailed(_logger, _group, e.Error.Code, e.Error.Reason);
                if (e.Error.IsFatal)
                    throw;
            }

            ResumeDrained(consumer);
            StoreDone(consumer, _workers.Values);
        }

        // Leaving: the records in hand finish and are committed, the rest is the next owner's.
        Revoked(consumer, _workers.Keys.ToList());
        consumer.Close();
    }

    void Route(IConsumer<string?, byte[]> consumer, ConsumeResult<string?, byte[]> record)
    {
        if (!_workers.TryGetValue(record.TopicPartition, out var worker))
            return;
        if (worker.Paused || (worker.NextOffset >= 0 && record.Offset.Value < worker.NextOffset))
            return;
        if (worker.TryEnqueue(record))
        {
            worker.NextOffset = record.Offset.Value + 1;
            return;
        }

        // Full: stop fetching this partition until its worker has caught up; the record is fetched again on resume.
        consumer.Pause([record.TopicPartition]);
        worker.Paused = true;
        worker.ResumeAt = record.Offset.Value;
    }

    void ResumeDrained(IConsumer<string?, byte[]> consumer)
    {
        foreach (var worker in _workers.Values)
        {
            if (!worker.Paused || worker.Buffered > worker.Capacity / 2)
                continue;
            worker.Paused = false;
            consumer.Seek(new TopicPartitionOffset(worker.Partition, worker.ResumeAt));
            consumer.Resume([worker.Partition]);
        }
    }

    void Assigned(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            if (_workers.ContainsKey(partition))
                continue;
            var batched = _byTopic.TryGetValue(partition.Topic, out var own) && own.Definition.RecordsPerTransaction > 1 ? own : null;
            _workers[partition] = new PartitionWorker(partition, Math.Max(1, _options.PartitionBuffer), Handler(partition.Topic), _logger,
                batched is null ? null : (records, tokens) => DispatchBatchAsync(records, batched, tokens.Abandoned),
                batched?.Definition.RecordsPerTransaction ?? 1);
        }

        PublishAssignment();
    }

    /// <summary>The partitions go to another member: each worker finishes the record in hand, and what finished is committed
    /// before the partition is released, so the next owner starts right after it.</summary>
    void Revoked(IConsumer<string?, byte[]> consumer, IEnumerable<TopicPartition> partitions)
    {
        var leaving = partitions.Where(_workers.ContainsKey).Select(p => _workers[p]).ToList();
        if (leaving.Count == 0)
            return;
        Task.WhenAll(leaving.Select(w => w.StopAsync(RevokePatience))).GetAwaiter().GetResult();
        // Stored too, not only committed: the client commits the stored offsets of partitions it lets go, after this, and
        // an older stored offset would then undo the commit and hand the next owner records already handled.
        StoreDone(consumer, leaving);
        Commit(consumer, leaving);
        Release(consumer, leaving);
        PublishAssignment();
    }

    /// <summary>The partitions were taken away without a revocation (this member was considered dead): another member owns
    /// them already, so nothing may be committed for them; the records in hand are abandoned and read again there.</summary>
    void Lost(IConsumer<string?, byte[]> consumer, IEnumerable<TopicPartition> partitions)
    {
        var leaving = partitions.Where(_workers.ContainsKey).Select(p => _workers[p]).ToList();
        foreach (var worker in leaving)
            worker.Abandon();
        Release(consumer, leaving);
        PublishAssignment();
    }

    /// <summary>Forgets the workers of partitions this member no longer owns, resuming those it had paused: librdkafka keeps a
    /// partition's pause across a rebalance, and a partition that came back to this member later would get a worker that is
    /// not paused, over a partition that is, never fetched again (a retry topic's partition, lost while its worker's buffer was
    /// full, stood still that way after a broker crash).</summary>
    void Release(IConsumer<string?, byte[]> consumer, IReadOnlyCollection<PartitionWorker> leaving)
    {
        var paused = leaving.Where(w => w.Paused).Select(w => w.Partition).ToList();
        if (paused.Count > 0)
        {
            try
            {
                consumer.Resume(paused);
            }
            catch (KafkaException e)
            {
                LogResumeFailed(_logger, _group, e.Error.Code, e.Error.Reason);
            }
        }

        foreach (var worker in leaving)
            _workers.Remove(worker.Partition);
    }

    /// <summary>Stores, for the client's next background commit, the offset after each partition's last handled record.</summary>
    void StoreDone(IConsumer<string?, byte[]> consumer, IEnumerable<PartitionWorker> workers)
    {
        foreach (var worker in workers)
        {
            var next = worker.Done + 1;
            if (worker.Done < 0 || next <= worker.Stored)
                continue;
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(worker.Partition, next));
                worker.Stored = next;
            }
            catch (KafkaException e)
            {
                // The partition is being taken away right now: its revocation commits what finished, or, lost, it is read
                // again from its last commit, which the inboxes make harmless.
                LogStoreFailed(_logger, _group, e.Error.Code, e.Error.Reason);
            }
        }
    }

    /// <summary>Commits what the leaving partitions' workers finished, and waits for it: the next owner starts right after.</summary>
    void Commit(IConsumer<string?, byte[]> consumer, IEnumerable<PartitionWorker> workers)
    {
        var offsets = workers.Where(w => w.Done >= 0).Select(w => new TopicPartitionOffset(w.Partition, w.Done + 1)).ToList();
        if (offsets.Count == 0)
            return;
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException e)
        {
            // The next owner reads again from the last commit that landed, which the inboxes make harmless.
            LogCommitFailed(_logger, _group, e.Error.Code, e.Error.Reason);
        }
    }

    void PublishAssignment()
    {
        var prefix = _options.TopicPrefix.Length;
        _assignment = _workers.Keys
            .Select(p => (Topic: p.Topic[prefix..], Partition: p.Partition.Value))
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        LogAssignment(_logger, _group, ClientId, string.Join(", ", _assignment.Select(p => $"{p.Topic}[{p.Partition}]")));
    }

    Func<ConsumeResult<string?, byte[]>, WorkerTokens, Task> Handler(string topic)
    {
        var failures = _failures!;
        if (topic == failures.DeadLetterTopic)
            return (record, tokens) => _deadLetters!.RecordAsync(record, tokens.Abandoned);
        if (failures.RetryTiers.TryGetValue(topic, out var tier))
        {
            return async (record, tokens) =>
            {
                await failures.WaitUntilDueAsync(record, tokens.Stopping).ConfigureAwait(false);
                // The attempts it has had so far: its tier, or 0 for a dead letter re-driven with a whole budget anew.
                var attempt = (int)(KafkaHeaders.GetLong(record.Message.Headers, KafkaHeaders.Attempt) ?? tier);
                var origin = KafkaHeaders.Get(record.Message.Headers, KafkaHeaders.OriginTopic);
                if (origin is null || !_byOrigin.TryGetValue(origin, out var endpoint))
                {
                    await failures.ForwardAsync(record, origin ?? topic, failures.RetryTiers.Count,
                        new InvalidOperationException($"No topic endpoint of group '{_group}' takes records from '{origin}'."), tokens.Abandoned)
                        .ConfigureAwait(false);
                    return;
                }

                await DispatchAsync(record, endpoint, attempt, tokens.Abandoned).ConfigureAwait(false);
            };
        }

        var own = _byTopic[topic];
        return (record, tokens) => own.Accepts(KafkaHeaders.Get(record.Message.Headers, KafkaHeaders.MessageType))
            ? DispatchAsync(record, own, 0, tokens.Abandoned)
            : Task.CompletedTask;
    }

    /// <summary>Dispatches into the endpoint's consumers and sagas; a failure left after the in-process retries goes on to the
    /// next redelivery tier (or the dead letters), and the partition moves on.</summary>
    async Task DispatchAsync(ConsumeResult<string?, byte[]> record, DispatchEndpoint endpoint, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await endpoint.Dispatcher.Dispatch(record.Message.Value, KafkaHeaders.ToTransportHeaders(record.Message.Headers), cancellationToken,
                record.TopicPartitionOffset).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Activity.Current?.SetStatus(ActivityStatusCode.Error, e.Message);
            await _failures!.ForwardAsync(record, endpoint.Topic, attempt, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Dispatches <paramref name="records"/> one after another in one transaction of the service's DbContext, which
    /// the consumers' units of work join (the batch's service scope is the records' scope); true once it committed. Any
    /// failure rolls everything back and answers false: the records are then handled one at a time.</summary>
    async Task<bool> DispatchBatchAsync(IReadOnlyList<ConsumeResult<string?, byte[]>> records, DispatchEndpoint endpoint, CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            try
            {
                await db.BeginBatchAsync(cancellationToken).ConfigureAwait(false);
                foreach (var record in records)
                {
                    if (!endpoint.Accepts(KafkaHeaders.Get(record.Message.Headers, KafkaHeaders.MessageType)))
                        continue;
                    // MassTransit resolves a message's consumers and saga repository from a service scope it finds on the context.
                    await endpoint.Dispatcher.Dispatch(record.Message.Value, KafkaHeaders.ToTransportHeaders(record.Message.Headers), cancellationToken,
                        record.TopicPartitionOffset, (IServiceScope)scope).ConfigureAwait(false);
                }

                await db.CommitBatchAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogBatchAbandoned(_logger, _group, records[0].TopicPartitionOffset.ToString(), records.Count, (e as BatchAbortedException)?.Cause ?? e);
                return false;
            }
            finally
            {
                await db.EndBatchAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Consumer group {Group}: the batch from {Record} ({Count} records) was rolled back; handling them one at a time")]
    static partial void LogBatchAbandoned(ILogger logger, string group, string record, int count, Exception exception);

    [LoggerMessage(LogLevel.Information, "Consumer group {Group}: member {ClientId} subscribed to {Topics}")]
    static partial void LogSubscribed(ILogger logger, string group, string clientId, string topics);

    [LoggerMessage(LogLevel.Information, "Consumer group {Group}: member {ClientId} owns {Partitions}")]
    static partial void LogAssignment(ILogger logger, string group, string clientId, string partitions);

    [LoggerMessage(LogLevel.Warning, "Consumer group {Group}: topics not ready ({Reason}); trying again")]
    static partial void LogTopicsNotReady(ILogger logger, string group, string reason);

    [LoggerMessage(LogLevel.Warning, "Consumer group {Group}: {Code} {Reason}")]
    static partial void LogConsumerError(ILogger logger, string group, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Consumer group {Group}: consume failed, {Code} {Reason}")]
    static partial void LogConsumeFailed(ILogger logger, string group, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Debug, "Consumer group {Group}: storing an offset failed, {Code} {Reason}")]
    static partial void LogStoreFailed(ILogger logger, string group, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Debug, "Consumer group {Group}: commit failed, {Code} {Reason}")]
    static partial void LogCommitFailed(ILogger logger, string group, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Consumer group {Group}: resuming released partitions failed, {Code} {Reason}; one given back later is not fetched")]
    static partial void LogResumeFailed(ILogger logger, string group, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Error, "Consumer group {Group}: the consumer loop stopped")]
    static partial void LogLoopFailed(ILogger logger, string group, Exception exception);
}
