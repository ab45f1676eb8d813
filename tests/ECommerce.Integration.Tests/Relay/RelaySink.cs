using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;
using RabbitMQ.Client;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>A queue bound to every partition of a keyed topic, read with RabbitMQ.Client: what the broker really holds, byte
/// for byte, whoever published it.</summary>
public sealed class RelaySink : IAsyncDisposable
{
    readonly IConnection _connection;
    readonly IChannel _channel;

    RelaySink(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        Queue = queue;
    }

    public string Queue { get; }

    public static async Task<RelaySink> BindAsync(Uri brokerUri, string topic, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "integration-test-sink" };
        var connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        var queue = $"test.sink.{Guid.NewGuid():N}";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false).ConfigureAwait(false);
        if (TopicCatalog.Get(topic).IsKeyed)
        {
            for (var p = 0; p < options.PartitionsOf(topic); p++)
                await channel.QueueBindAsync(queue, TopologyNames.PartitionExchange(topic, p), string.Empty).ConfigureAwait(false);
        }
        else
        {
            await channel.QueueBindAsync(queue, topic, string.Empty).ConfigureAwait(false);
        }

        return new RelaySink(connection, channel, queue);
    }

    /// <summary>The next message in the queue, waiting for it up to <paramref name="patience"/>.</summary>
    public async Task<BasicGetResult> NextAsync(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var result = await _channel.BasicGetAsync(Queue, autoAck: true).ConfigureAwait(false);
            if (result is not null)
                return result;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No message arrived in {Queue} within {patience}.");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>The next message if one is in the queue now.</summary>
    public async Task<BasicGetResult?> TryNextAsync() => await _channel.BasicGetAsync(Queue, autoAck: true).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _channel.QueueDeleteAsync(Queue).ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
        await _connection.CloseAsync().ConfigureAwait(false);
        _connection.Dispose();
    }
}
