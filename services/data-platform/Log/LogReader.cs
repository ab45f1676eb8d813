using System.Globalization;
using System.Threading.Channels;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging.Kafka;

namespace ECommerce.DataPlatform.Log;

/// <summary>Reads assigned partitions of the domain topics into a bounded channel, on a thread of its own, so records are
/// fetched and parsed while the caller applies the previous batch. Records of a partition come in offset order. Nothing is
/// committed to Kafka: the caller keeps the positions. A failure of the client ends <see cref="Items"/> with it.</summary>
public sealed partial class LogReader : IDisposable
{
    static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(10);

    readonly IConsumer<string?, byte[]> _consumer;
    readonly Channel<LogItem> _items;
    readonly Dictionary<TopicPartition, LogPartition> _partitions;
    readonly Dictionary<LogPartition, long> _expected;
    readonly CancellationTokenSource _stop = new();
    readonly ILogger _logger;
    readonly Task _pump;
    string? _statistics;
    volatile bool _waitingForRoom;

    internal LogReader(ConsumerConfig config, IReadOnlyList<(LogPartition Partition, TopicPartitionOffset Start)> assignment, int capacity,
        ILogger logger)
    {
        _logger = logger;
        _partitions = assignment.ToDictionary(a => a.Start.TopicPartition, a => a.Partition);
        // A position from the database may be out of the partition's range (expired meanwhile, or the topic recreated): the
        // client then starts at the earliest retained record, and the first record read says which it was.
        _expected = assignment.Where(a => !a.Start.Offset.IsSpecial).ToDictionary(a => a.Partition, a => a.Start.Offset.Value);
        _items = Channel.CreateBounded<LogItem>(new BoundedChannelOptions(Math.Max(1, capacity)) { SingleReader = true, SingleWriter = true });
        _consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetLogHandler((_, message) => KafkaClients.Log(logger, message))
            .SetErrorHandler((_, error) => LogClientError(logger, error.Code, error.Reason))
            .SetStatisticsHandler((_, json) => Volatile.Write(ref _statistics, json))
            .Build();
        _consumer.Assign(assignment.Select(a => a.Start));
        _pump = Task.Factory.StartNew(Pump, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The records read, parsed; completes with the client's failure if reading stopped on one.</summary>
    public ChannelReader<LogItem> Items => _items.Reader;

    void Pump()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                ConsumeResult<string?, byte[]> result;
                try
                {
                    result = _consumer.Consume(_stop.Token);
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    // A partition-level error (a leader moving, a topic deleted under us): the client keeps trying by itself.
                    LogConsumeError(_logger, e.Error.Code, e.Error.Reason);
                    continue;
                }

                if (result?.Message is null || !_partitions.TryGetValue(result.TopicPartition, out var partition))
                    continue;
                if (_expected.Remove(partition, out var expected) && result.Offset.Value != expected)
                {
                    if (result.Offset.Value > expected)
                        LogExpired(_logger, partition.Name, expected, result.Offset.Value - 1);
                    else
                        LogStartedOver(_logger, partition.Name, expected, result.Offset.Value);
                }

                var item = LogRecordReader.Read(partition, result.Offset.Value, result.Message.Key, result.Message.Headers, result.Message.Value);
                if (!_items.Writer.TryWrite(item))
                {
                    _waitingForRoom = true;
                    _items.Writer.WriteAsync(item, _stop.Token).AsTask().GetAwaiter().GetResult();
                    _waitingForRoom = false;
                }
            }

            _items.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _items.Writer.TryComplete();
        }
#pragma warning disable CA1031 // Whatever stopped the reading is handed to the reader of the channel, which starts over.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _items.Writer.TryComplete(e);
        }
    }

    /// <summary>What the reader and its client are doing, for a log line when it seems stuck: whether the reading thread runs
    /// or waits for room in the channel, and, from the client's latest statistics, each partition's fetch state, next offset and
    /// high watermark, and any broker connection that is not up.</summary>
    public string Describe()
    {
        var thread = _pump.IsCompleted ? "stopped" : _waitingForRoom ? "waiting for room" : "consuming";
        var statistics = Volatile.Read(ref _statistics) is { } json ? FetchStatistics.Summarize(json) : "no client statistics yet";
        return string.Create(CultureInfo.InvariantCulture, $"reading thread {thread}, {_items.Reader.Count} read ahead; {statistics}");
    }

    /// <summary>Stops reading and closes the client (after the reading thread let go of it: the client is not shared).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        if (_pump.Wait(StopPatience))
            _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    static partial void LogClientError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the log failed ({Code}: {Reason}); the client retries")]
    static partial void LogConsumeError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Records {From}..{To} of {Partition} expired before they were ingested: the partition's retention is shorter than the ingest was away")]
    static partial void LogExpired(ILogger logger, string partition, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition} starts over at offset {Offset}, before {Expected}: the topic was recreated; reading it from there")]
    static partial void LogStartedOver(ILogger logger, string partition, long expected, long offset);
}
