using ECommerce.Testing.Infrastructure;
using RabbitMQ.Client;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>Small AMQP helpers shared by the broker tests.</summary>
internal static class Amqp
{
    public static Task<IConnection> ConnectAsync(Uri uri) =>
        new ConnectionFactory { Uri = uri, ClientProvidedName = "apphost-tests" }.CreateConnectionAsync();

    /// <summary>A channel whose publishes complete only once the broker has confirmed them (written to disk, for
    /// persistent messages on durable queues).</summary>
    public static Task<IChannel> ConfirmingChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    public static async Task PublishPersistentAsync(IChannel channel, string exchange, string routingKey, string body) =>
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, new BasicProperties { Persistent = true },
            System.Text.Encoding.UTF8.GetBytes(body));

    /// <summary>The next message of <paramref name="queue"/>, waiting for it to arrive — and, after a broker restart, for
    /// the queue itself to be recovered: a loaded node may accept connections before it has recovered its durable queues, and
    /// until then it answers NOT_FOUND, which closes the channel (so each attempt uses a channel of its own).</summary>
    public static async Task<string> GetAsync(IConnection connection, string queue)
    {
        ArgumentNullException.ThrowIfNull(connection);
        BasicGetResult? result = null;
        await Poll.UntilAsync(async _ =>
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                return (result = await channel.BasicGetAsync(queue, autoAck: true)) is not null;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"a message in {queue}");
        return System.Text.Encoding.UTF8.GetString(result!.Body.Span);
    }
}
