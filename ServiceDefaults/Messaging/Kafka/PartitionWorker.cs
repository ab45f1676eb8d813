using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>What a record's handler is given: <see cref="Stopping"/> ends a wait (a retry record's due time) when the
/// partition is taken away, <see cref="Abandoned"/> ends everything (the partition was lost, or the host stops now).</summary>
internal readonly record struct WorkerTokens(CancellationToken Stopping, CancellationToken Abandoned);

/// <summary>Handles one assigned partition's records in order, one at a time (or, for an endpoint that asked, several already
/// buffered in one transaction), from a bounded buffer the consumer loop fills. <see cref="Done"/> is the offset of the last
/// record whose handling completed (its effects committed), so the loop stores <c>Done + 1</c> for the commit. A record whose
/// handling throws (the database away longer than every retry, say) is tried again after a pause, never skipped: the failure
/// policy itself already turned a consumer's failure into a retry-topic record.</summary>
internal sealed partial class PartitionWorker
{
    static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    readonly Channel<ConsumeResult<string?, byte[]>> _buffer;
    readonly Func<ConsumeResult<string?, byte[]>, WorkerTokens, Task> _handle;
    readonly Func<IReadOnlyList<ConsumeResult<string?, byte[]>>, WorkerTokens, Task<bool>>? _handleBatch;
    readonly int _maxBatch;
    readonly CancellationTokenSource _abandon = new();
    readonly CancellationTokenSource _stop;
    readonly ILogger _logger;
    readonly Task _run;
    long _done = -1;
    volatile bool _stopping;

    /// <param name="handleBatch">Handles up to <paramref name="maxBatch"/> records already buffered in one transaction, in order;
    /// false when it rolled them back, and they are handled again one at a time by <paramref name="handle"/>. Null: one at a
    /// time only.</param>
    public PartitionWorker(TopicPartition partition, int capacity, Func<ConsumeResult<string?, byte[]>, WorkerTokens, Task> handle, ILogger logger,
        Func<IReadOnlyList<ConsumeResult<string?, byte[]>>, WorkerTokens, Task<bool>>? handleBatch = null, int maxBatch = 1)
    {
        _handleBatch = handleBatch;
        _maxBatch = handleBatch is null ? 1 : Math.Max(1, maxBatch);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token);
        Partition = partition;
        Capacity = capacity;
        _handle = handle;
        _logger = logger;
        _buffer = Channel.CreateBounded<ConsumeResult<string?, byte[]>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _run = Task.Run(RunAsync);
    }

    public TopicPartition Partition { get; }

    public int Capacity { get; }

    /// <summary>The offset of the last handled record; -1 before the first.</summary>
    public long Done => Volatile.Read(ref _done);

    /// <summary>The offset last stored for the client to commit (exclusive: the next record to read).</summary>
    public long Stored { get; set; } = -1;

    /// <summary>Paused because the buffer was full; fetching resumes at <see cref="ResumeAt"/>.</summary>
    public bool Paused { get; set; }

    public long ResumeAt { get; set; }

    /// <summary>The offset the next buffered record must have; records before it (fetched again after a pause) are dropped.</summary>
    public long NextOffset { get; set; } = -1;

    public int Buffered => _buffer.Reader.Count;

    public bool TryEnqueue(ConsumeResult<string?, byte[]> record) => !_stopping && _buffer.Writer.TryWrite(record);

    /// <summary>Takes no more records and completes when the record in hand (if any) is handled; buffered ones are dropped
    /// (the next owner of the partition reads them from the committed offset). A record only waiting for its due time is
    /// let go at once: nothing of it was applied, and the next owner waits for the same due time.</summary>
    public async Task<bool> StopAsync(TimeSpan patience)
    {
        _stopping = true;
        _buffer.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (await Task.WhenAny(_run, Task.Delay(patience)).ConfigureAwait(false) == _run)
            return true;
        Abandon();
        return false;
    }

    /// <summary>Gives up the record in hand too (its handling is cancelled): the partition was lost or the host stops.</summary>
    public void Abandon()
    {
        _stopping = true;
        _buffer.Writer.TryComplete();
        _abandon.Cancel();
    }

    async Task RunAsync()
    {
        var batch = new List<ConsumeResult<string?, byte[]>>(_maxBatch);
        try
        {
            while (await _buffer.Reader.WaitToReadAsync(_abandon.Token).ConfigureAwait(false))
            {
                // What is buffered already, never waiting for more: a batch is a backlog's records, not a delay.
                batch.Clear();
                while (batch.Count < _maxBatch && _buffer.Reader.TryRead(out var next))
                    batch.Add(next);
                if (_stopping)
                    return;
                if (batch.Count > 1 && await _handleBatch!(batch, new WorkerTokens(_stop.Token, _abandon.Token)).ConfigureAwait(false))
                {
                    Volatile.Write(ref _done, batch[^1].Offset.Value);
                    continue;
                }

                foreach (var record in batch)
                {
                    if (_stopping)
                        return;
                    await HandleUntilDoneAsync(record).ConfigureAwait(false);
                    Volatile.Write(ref _done, record.Offset.Value);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped or abandoned: the record in hand stays uncommitted and is read again by the partition's next owner.
        }
    }

    async Task HandleUntilDoneAsync(ConsumeResult<string?, byte[]> record)
    {
        while (true)
        {
            try
            {
                await _handle(record, new WorkerTokens(_stop.Token, _abandon.Token)).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // The partition must not skip a record; whatever failed is tried again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlingFailed(_logger, record.TopicPartitionOffset.ToString(), e);
                await Task.Delay(RetryPause, _abandon.Token).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Handling record {Record} failed; trying it again")]
    static partial void LogHandlingFailed(ILogger logger, string record, Exception exception);
}
