using System.Threading.Channels;
using RabbitMQ.Client;

namespace ECommerce.DataPlatform.Log;

/// <summary>Reads one stream's deliveries into a channel, parsed (on the client's dispatcher, alongside the writer applying
/// the previous batch).</summary>
public sealed class StreamConsumer(IChannel channel, LogStream stream, ChannelWriter<LogItem> items) : AsyncDefaultBasicConsumer(channel)
{
    /// <summary>Starts consuming at <paramref name="offset"/> (a numeric offset, or <c>first</c>). A stream refuses a consumer
    /// without a prefetch limit and with automatic acknowledgement; acks here only return credit.</summary>
    public Task<string> StartAsync(object offset, CancellationToken cancellationToken) =>
        Channel.BasicConsumeAsync(stream.Queue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false,
            new Dictionary<string, object?> { [LogRecordReader.OffsetHeader] = offset }, this, cancellationToken);

    public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
        IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        await items.WriteAsync(LogRecordReader.Read(deliveryTag, stream, routingKey, properties, body), cancellationToken).ConfigureAwait(false);
}
