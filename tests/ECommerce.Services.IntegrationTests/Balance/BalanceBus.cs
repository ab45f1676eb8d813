using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>The test's own connection to the broker, as another service would use it: it sends commands to a keyed command
/// topic exactly as ServiceDefaults' outbox publisher does (the consistent-hash exchange named after the topic, the partition
/// key as routing key, a MassTransit envelope, publisher confirms), and watches balance-activity through a queue of its own bound
/// to every partition exchange — one queue, so a user's events (always on one partition) arrive in the order the partition
/// carried them.</summary>
public sealed class BalanceBus : IAsyncDisposable
{
    // A channel publishes one message at a time here; several let concurrent senders wait for their confirms side by side.
    const int PublisherChannels = 16;

    readonly IConnection _connection;
    readonly ConcurrentBag<IChannel> _publishers;
    readonly SemaphoreSlim _publisherAvailable = new(PublisherChannels, PublisherChannels);
    readonly IChannel[] _allPublishers;
    readonly IChannel _observer;
    readonly ConcurrentQueue<ObservedEvent> _observed = new();

    BalanceBus(IConnection connection, IChannel[] publishers, IChannel observer)
    {
        _connection = connection;
        _allPublishers = publishers;
        _publishers = [.. publishers];
        _observer = observer;
    }

    /// <summary>Every balance-activity event seen so far, in arrival order.</summary>
    public IReadOnlyList<ObservedEvent> Observed => [.. _observed];

    /// <param name="onObserved">Called with each balance-activity event as it arrives.</param>
    public static async Task<BalanceBus> ConnectAsync(Uri brokerUri, MessagingOptions messaging, Action<ObservedEvent>? onObserved = null)
    {
        ArgumentNullException.ThrowIfNull(messaging);
        var connection = await new ConnectionFactory { Uri = brokerUri }.CreateConnectionAsync("balance-test").ConfigureAwait(false);
        var publishers = new IChannel[PublisherChannels];
        for (var i = 0; i < publishers.Length; i++)
            publishers[i] = await connection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)).ConfigureAwait(false);
        var observer = await connection.CreateChannelAsync().ConfigureAwait(false);
        var bus = new BalanceBus(connection, publishers, observer);

        var queue = (await observer.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true).ConfigureAwait(false)).QueueName;
        for (var p = 0; p < messaging.PartitionsOf(Topics.BalanceActivity); p++)
            await observer.QueueBindAsync(queue, TopologyNames.PartitionExchange(Topics.BalanceActivity, p), string.Empty).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(observer);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var observed = Read(delivery.Body.Span);
            bus._observed.Enqueue(observed);
            onObserved?.Invoke(observed);
            return Task.CompletedTask;
        };
        await observer.BasicConsumeAsync(queue, autoAck: true, consumer).ConfigureAwait(false);
        return bus;
    }

    /// <summary>Sends <paramref name="command"/> to its topic keyed by its partition key and waits for the broker's confirm.</summary>
    public async Task SendAsync(object command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var descriptor = MessageCatalog.Describe(command.GetType());
        var messageId = Guid.NewGuid();
        var envelope = new JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new JsonArray($"urn:message:{descriptor.Type.Namespace}:{descriptor.Type.Name}"),
            ["message"] = JsonSerializer.SerializeToNode(command, descriptor.Type, MessageJson.Options),
            ["sentTime"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["headers"] = new JsonObject(),
        };
        var properties = new BasicProperties
        {
            MessageId = messageId.ToString(),
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
        };
        var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        await _publisherAvailable.WaitAsync().ConfigureAwait(false);
        _publishers.TryTake(out var publisher);
        try
        {
            await publisher!.BasicPublishAsync(descriptor.Topic.Name, descriptor.PartitionKeyOf(command) ?? string.Empty, mandatory: false,
                properties, body).ConfigureAwait(false);
        }
        finally
        {
            _publishers.Add(publisher!);
            _publisherAvailable.Release();
        }
    }

    static ObservedEvent Read(ReadOnlySpan<byte> body)
    {
        using var json = JsonDocument.Parse(body.ToArray());
        var root = json.RootElement;
        var urn = root.GetProperty("messageType")[0].GetString()!;
        var message = root.GetProperty("message");
        return new ObservedEvent(
            Guid.Parse(root.GetProperty("messageId").GetString()!),
            urn[(urn.LastIndexOf(':') + 1)..],
            message.GetProperty("userId").GetInt64(),
            message.TryGetProperty("sequence", out var sequence) ? sequence.GetInt64() : null,
            Stopwatch.GetTimestamp());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var publisher in _allPublishers)
            await publisher.DisposeAsync().ConfigureAwait(false);
        await _observer.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _publisherAvailable.Dispose();
    }
}
