using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Subscribes to the partitions outside this instance's share once the other instances have had time to take theirs.
/// With single-active-consumer queues the first subscriber is the active one, so instances started together split the
/// partitions, and each also stands by for the others' partitions: when an instance dies the broker hands its partitions to a
/// standby subscriber, and per-key order holds because only one consumer is ever active on a partition.</summary>
internal sealed partial class StandbyPartitionSubscriber(
    IReceiveEndpointConnector connector,
    GroupEndpointConfigurator endpoints,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<StandbyPartitionSubscriber> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var standby = endpoints.StandbyQueues;
        if (standby.Count == 0)
            return;

        await Task.Delay(options.Value.StandbyDelay, clock, stoppingToken).ConfigureAwait(false);
        foreach (var queue in standby)
        {
            var handle = connector.ConnectReceiveEndpoint(queue.Queue,
                (context, cfg) => endpoints.ConfigureRabbitMqQueue(context, (IRabbitMqReceiveEndpointConfigurator)cfg, queue));
            await handle.Ready.ConfigureAwait(false);
        }

        LogSubscribed(logger, standby.Count);
    }

    [LoggerMessage(LogLevel.Information, "Subscribed as standby to {Count} partitions outside this instance's share")]
    static partial void LogSubscribed(ILogger logger, int count);
}
