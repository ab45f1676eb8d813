using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.ServiceDefaults.Messaging.Kafka;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>What the broker alone can do on this machine, with Confluent.Kafka and no service code, configured as the suite
/// configures its clients: 1 KiB records produced by an idempotent producer (<c>acks=all</c>) to a four-partition topic while
/// a consumer-group member (KIP-848 protocol, no auto-commit) consumes them and commits its offsets, both at once. Two
/// shapes: pipelined (produce without waiting, the producer batching; offsets committed every 200 ms as the rider does), the
/// ceiling; and one at a time (each produce waits for its acknowledgement, each record's offset committed before the next
/// is taken), the worst case of a partition handled record by record.</summary>
internal static class BrokerCeilingBenchmark
{
    const int BodySize = 1024;
    const int Partitions = 4;

    public static async Task<IReadOnlyList<BrokerCeilingResult>> RunAsync(string bootstrapServers, int messages) =>
    [
        await RunAsync(bootstrapServers, "pipelined (batched, commit every 200 ms)", messages, pipelined: true).ConfigureAwait(false),
        await RunAsync(bootstrapServers, "one at a time (await ack, commit each)", Math.Max(1, messages / 10), pipelined: false).ConfigureAwait(false),
    ];

    static async Task<BrokerCeilingResult> RunAsync(string bootstrapServers, string name, int messages, bool pipelined)
    {
        Console.WriteLine($"[broker] {name}: {messages} records");
        var topic = $"bench.ceiling.{Guid.NewGuid().ToString("N")[..8]}";
        using var admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1 }]).ConfigureAwait(false);
        try
        {
            using var producer = new ProducerBuilder<string?, byte[]>(KafkaClients.Producer(bootstrapServers, "bench-producer"))
                .SetLogHandler((_, _) => { }).Build();
            var assigned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var allConsumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var consuming = Task.Factory.StartNew(() => Consume(bootstrapServers, topic, messages, pipelined, assigned, allConsumed, stop.Token),
                stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            // Joining the group (a second or so) is not the broker's throughput: the clock starts once the member owns every
            // partition, as a service's consumers do before it takes traffic.
            await assigned.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);

            var body = new byte[BodySize];
            Random.Shared.NextBytes(body);
            var failures = 0;
            var unconfirmed = 0;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < messages; i++)
            {
                var message = new Message<string?, byte[]> { Key = (i % 256).ToString(System.Globalization.CultureInfo.InvariantCulture), Value = body };
                if (pipelined)
                {
                    ProduceWithBackPressure(producer, topic, message, report =>
                    {
                        if (report.Error.IsError)
                            Interlocked.Increment(ref failures);
                        else if (report.Offset == Offset.Unset)
                            Interlocked.Increment(ref unconfirmed);
                    });
                }
                else
                {
                    await producer.ProduceConfirmedAsync(topic, message).ConfigureAwait(false);
                }
            }

            producer.Flush(TimeSpan.FromMinutes(5));
            // Acknowledged without an offset: maybe not written (see KafkaDelivery). As many again, confirmed, so that the
            // consumer's count of records is reached either way.
            unconfirmed = Volatile.Read(ref unconfirmed);
            for (var i = 0; i < unconfirmed; i++)
                await producer.ProduceConfirmedAsync(topic, new Message<string?, byte[]> { Key = "unconfirmed", Value = body }).ConfigureAwait(false);
            if (unconfirmed > 0)
                Console.WriteLine($"[broker] {name}: {unconfirmed} records acknowledged without an offset, produced again");
            var published = clock.Elapsed;
            await allConsumed.Task.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            var through = clock.Elapsed;
            await stop.CancelAsync().ConfigureAwait(false);
            await consuming.ConfigureAwait(false);
            return failures == 0
                ? new BrokerCeilingResult(name, messages, published, through)
                : throw new InvalidOperationException($"{failures} of {messages} records were not acknowledged.");
        }
        finally
        {
            await admin.DeleteTopicsAsync([topic]).ConfigureAwait(false);
        }
    }

    /// <summary>Produce without waiting; when the client's queue is full, let it send some and try again.</summary>
    static void ProduceWithBackPressure(IProducer<string?, byte[]> producer, string topic, Message<string?, byte[]> message,
        Action<DeliveryReport<string?, byte[]>> report)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, report);
                return;
            }
            catch (ProduceException<string?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    static void Consume(string bootstrapServers, string topic, int messages, bool pipelined, TaskCompletionSource assigned,
        TaskCompletionSource allConsumed, CancellationToken cancellationToken)
    {
        var owned = new HashSet<int>();
        using var consumer = new ConsumerBuilder<string?, byte[]>(KafkaClients.Consumer(bootstrapServers, $"{topic}.group", "bench-consumer"))
            .SetLogHandler((_, _) => { })
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                // The group protocol of KIP-848 may hand the partitions out in steps.
                owned.UnionWith(partitions.Select(p => p.Partition.Value));
                if (owned.Count == Partitions)
                    assigned.TrySetResult();
            })
            .Build();
        consumer.Subscribe(topic);
        var lastCommit = Stopwatch.StartNew();
        var handled = new Dictionary<TopicPartition, TopicPartitionOffset>();
        var consumed = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is not null)
                {
                    var next = new TopicPartitionOffset(result.TopicPartition, result.Offset + 1);
                    if (pipelined)
                        handled[result.TopicPartition] = next;
                    else
                        consumer.Commit([next]);
                    if (++consumed == messages)
                    {
                        if (handled.Count > 0)
                            consumer.Commit(handled.Values);
                        allConsumed.TrySetResult();
                    }
                }

                if (pipelined && handled.Count > 0 && lastCommit.ElapsedMilliseconds >= 200)
                {
                    consumer.Commit(handled.Values);
                    handled.Clear();
                    lastCommit.Restart();
                }
            }
        }
        catch (Exception e) when (e is KafkaException or InvalidOperationException)
        {
            assigned.TrySetException(e);
            allConsumed.TrySetException(e);
        }
        finally
        {
            consumer.Close();
        }
    }
}
