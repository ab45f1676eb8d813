using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Asks the broker directly (a passive queue declare over AMQP) how many messages wait in a queue and how many
/// consumers it has. Unlike the management API, whose statistics lag by seconds, the answer is current.</summary>
public sealed class BrokerProbe : IAsyncDisposable
{
    readonly IConnection _connection;

    BrokerProbe(IConnection connection) => _connection = connection;

    public static async Task<BrokerProbe> ConnectAsync(Uri brokerUri)
    {
        var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "integration-test-probe" };
        return new BrokerProbe(await factory.CreateConnectionAsync().ConfigureAwait(false));
    }

    /// <summary>Ready messages and consumers of <paramref name="queue"/>; null when it does not exist (yet).</summary>
    public async Task<(uint Ready, uint Consumers)?> QueueAsync(string queue)
    {
        // A passive declare of a missing queue closes the channel, so each question gets a channel of its own.
        var channel = await _connection.CreateChannelAsync().ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                var ok = await channel.QueueDeclarePassiveAsync(queue).ConfigureAwait(false);
                return (ok.MessageCount, ok.ConsumerCount);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync().ConfigureAwait(false);
        _connection.Dispose();
    }
}
