using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.DataPlatform.Log;

/// <summary>The retained log: a RabbitMQ stream per partition exchange of every domain topic (and one on each unkeyed topic's
/// exchange), with age-based retention. A stream keeps its messages after they are read, for as long as retention allows, and
/// any consumer can read it from any offset: Kafka's retention and replay.</summary>
public sealed partial class RetainedLog(MessagingOptions messaging, DataPlatformOptions options, ILogger<RetainedLog> logger)
{
    public IReadOnlyList<LogStream> Streams { get; } = TopicCatalog.All
        .Where(t => !t.IsCommandChannel)
        .SelectMany(t => t.IsKeyed
            ? Enumerable.Range(0, messaging.PartitionsOf(t.Name)).Select(p => new LogStream(t.Name, p))
            : [new LogStream(t.Name, null)])
        .ToList();

    /// <summary>Declares every stream and binds it to its exchange. Idempotent; declaring the exchanges too (as the topology
    /// provisioner does, fan-out and durable) lets the data platform start before the provisioner ever ran. A stream that
    /// exists with other arguments (retention changed in configuration) is kept as it is, with a warning.</summary>
    public async Task DeclareAsync(IConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (var stream in Streams)
        {
            var source = stream.Partition is { } p ? TopologyNames.PartitionExchange(stream.Topic, p) : stream.Topic;
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                await channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                try
                {
                    await channel.QueueDeclareAsync(stream.Queue, durable: true, exclusive: false, autoDelete: false,
                        new Dictionary<string, object?> { ["x-queue-type"] = "stream", ["x-max-age"] = options.LogMaxAge },
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
                {
                    LogArgumentsDiffer(logger, stream.Queue, e.ShutdownReason.ReplyText);
                }
            }

            channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
                await channel.QueueBindAsync(stream.Queue, source, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Stream} exists with other arguments than configured; keeping it as it is ({Reason}). Change retention with a policy.")]
    static partial void LogArgumentsDiffer(ILogger logger, string stream, string reason);
}
