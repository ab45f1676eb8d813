using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>What the broker alone can do on this machine, with RabbitMQ.Client and no service code: persistent messages
/// published with publisher confirms to a durable classic queue and consumed with manual acks, publishing and consuming at
/// the same time. Two shapes: pipelined (many confirms outstanding, a deep prefetch), the ceiling; and one at a time (each
/// publish waits for its confirm, prefetch 1, ack before the next delivery), which is how the service uses the broker for
/// one coupon: the relay publishes a key's rows in sequence, the partition consumer takes one message at a time.</summary>
internal static class BrokerCeilingBenchmark
{
    const int BodySize = 1024;

    public static async Task<IReadOnlyList<BrokerCeilingResult>> RunAsync(RabbitMqNode broker, int messages)
    {
        var virtualHost = $"bench-broker-{Guid.NewGuid().ToString("N")[..6]}";
        var uri = await broker.CreateVirtualHostAsync(virtualHost).ConfigureAwait(false);
        try
        {
            return
            [
                await RunAsync(uri, "pipelined (256 unconfirmed, prefetch 256)", messages, window: 256, prefetch: 256).ConfigureAwait(false),
                await RunAsync(uri, "one at a time (confirm each, prefetch 1)", Math.Max(1, messages / 5), window: 1, prefetch: 1).ConfigureAwait(false),
            ];
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(virtualHost).ConfigureAwait(false);
        }
    }

    static async Task<BrokerCeilingResult> RunAsync(Uri uri, string name, int messages, int window, ushort prefetch)
    {
        Console.WriteLine($"[broker] {name}: {messages} messages");
        var queue = $"bench.ceiling.{window}";
        var factory = new ConnectionFactory { Uri = uri };
        var publisherConnection = await factory.CreateConnectionAsync("bench-publisher").ConfigureAwait(false);
        var consumerConnection = await factory.CreateConnectionAsync("bench-consumer").ConfigureAwait(false);
        await using (publisherConnection.ConfigureAwait(false))
        await using (consumerConnection.ConfigureAwait(false))
        {
            var publisher = await publisherConnection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)).ConfigureAwait(false);
            var consumer = await consumerConnection.CreateChannelAsync().ConfigureAwait(false);
            await using (publisher.ConfigureAwait(false))
            await using (consumer.ConfigureAwait(false))
            {
                await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false).ConfigureAwait(false);
                await publisher.QueuePurgeAsync(queue).ConfigureAwait(false);

                var consumed = 0;
                var allConsumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await consumer.BasicQosAsync(0, prefetch, global: false).ConfigureAwait(false);
                var handler = new AsyncEventingBasicConsumer(consumer);
                handler.ReceivedAsync += async (_, delivery) =>
                {
                    await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
                    if (Interlocked.Increment(ref consumed) == messages)
                        allConsumed.TrySetResult();
                };
                await consumer.BasicConsumeAsync(queue, autoAck: false, handler).ConfigureAwait(false);

                var body = new byte[BodySize];
                Random.Shared.NextBytes(body);
                var properties = new BasicProperties { Persistent = true, ContentType = "application/octet-stream" };
                var clock = Stopwatch.StartNew();
                // With tracking on, a publish's task completes when the broker has confirmed it; at most `window` are
                // outstanding (the oldest is awaited before another is sent).
                var pending = new Queue<Task>(window);
                for (var i = 0; i < messages; i++)
                {
                    if (pending.Count == window)
                        await pending.Dequeue().ConfigureAwait(false);
                    pending.Enqueue(publisher.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, body).AsTask());
                }

                await Task.WhenAll(pending).ConfigureAwait(false);
                var published = clock.Elapsed;
                await allConsumed.Task.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
                var through = clock.Elapsed;
                await publisher.QueueDeleteAsync(queue).ConfigureAwait(false);
                return new BrokerCeilingResult(name, messages, published, through);
            }
        }
    }
}
