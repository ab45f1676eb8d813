using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;

namespace ECommerce.Benchmarks.Balance;

/// <summary>Watches balance-activity live and reports each record as it arrives (its user, its sequence, the
/// <see cref="Stopwatch"/> timestamp of its arrival): the end of the benchmark's end-to-end latency. The integration tests'
/// <c>BalanceBus</c> reads the topic after the fact, which says what arrived but not when. Every partition is assigned
/// directly from its first offset (the topic is the run's own, so everything on it is the run's), without joining a
/// consumer group: nothing the listener does moves the balance service's group.</summary>
internal sealed class ActivityListener : IDisposable
{
    readonly IConsumer<string?, byte[]> _consumer;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    ActivityListener(IConsumer<string?, byte[]> consumer, Action<long, long?, long> onEvent)
    {
        _consumer = consumer;
        _loop = Task.Factory.StartNew(() => Listen(onEvent), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <param name="onEvent">Called on the listener's thread with the user, the sequence (null for a rejection, which changes
    /// no balance) and the arrival timestamp.</param>
    public static ActivityListener Start(string bootstrapServers, MessagingOptions messaging, Action<long, long?, long> onEvent)
    {
        ArgumentNullException.ThrowIfNull(messaging);
        ArgumentNullException.ThrowIfNull(onEvent);
        var topic = KafkaNames.Topic(messaging, Topics.BalanceActivity);
        var config = KafkaClients.Consumer(bootstrapServers, KafkaNames.Group(messaging, "bench-activity-listener"), "bench-activity-listener");
        // Assigned, never subscribed, never committed: the classic protocol keeps such a consumer out of any group.
        config.GroupProtocol = GroupProtocol.Classic;
        var consumer = new ConsumerBuilder<string?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(Enumerable.Range(0, messaging.PartitionsOf(Topics.BalanceActivity))
            .Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return new ActivityListener(consumer, onEvent);
    }

    void Listen(Action<long, long?, long> onEvent)
    {
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<string?, byte[]>? result;
            try
            {
                result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                Console.Error.WriteLine($"[balance] activity listener: {e.Error.Reason}");
                continue;
            }

            if (result?.Message?.Value is not { } value)
                continue;
            var arrived = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(value);
            var message = json.RootElement.GetProperty("message");
            onEvent(message.GetProperty("userId").GetInt64(),
                message.TryGetProperty("sequence", out var sequence) ? sequence.GetInt64() : null, arrived);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }
}
