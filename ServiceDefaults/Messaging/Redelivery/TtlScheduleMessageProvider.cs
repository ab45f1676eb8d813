using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Redelivery;

/// <summary>Schedules a message on RabbitMQ without the delayed-message plugin: the message waits in the TTL delay queue of the
/// shortest tier that is not shorter than the requested delay, and when its TTL runs out RabbitMQ dead-letters it through the
/// default exchange to the queue named by its routing key — the destination queue.</summary>
internal sealed class TtlScheduleMessageProvider(ISendEndpointProvider sendEndpoints, IReadOnlyList<TimeSpan> tiers, TimeProvider clock)
    : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message,
        IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(destinationAddress);
        var delay = scheduledTime.ToUniversalTime() - clock.GetUtcNow().UtcDateTime;
        var tier = ChooseTier(tiers, delay);
        var queue = QueueName(destinationAddress);
        var endpoint = await sendEndpoints.GetSendEndpoint(new Uri($"exchange:{TopologyNames.DelayExchange(tier)}?type=fanout"))
            .ConfigureAwait(false);

        var tokenId = NewId.NextGuid();
        // ExecuteAsync, not Execute: an async lambda given to Execute (an Action) is async void, so the send would not wait for
        // the copied context (message id, headers) and the routing key that come after the first await.
        await endpoint.Send(message, Pipe.ExecuteAsync<SendContext<T>>(async context =>
        {
            if (pipe.IsNotEmpty())
                await pipe.Send(context).ConfigureAwait(false);
            context.SetRoutingKey(queue);
            context.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("N"));
        }), cancellationToken).ConfigureAwait(false);

        return new ScheduledMessageHandle<T>(tokenId, scheduledTime, destinationAddress, message);
    }

    // A message already waiting in a TTL queue cannot be taken out; redelivery never cancels.
    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;

    public static TimeSpan ChooseTier(IReadOnlyList<TimeSpan> tiers, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        var ordered = tiers.Order().ToArray();
        return ordered.FirstOrDefault(t => t >= delay, ordered[^1]);
    }

    static string QueueName(Uri address)
    {
        var name = TopologyNames.QueueOf(address);
        return name.Length > 0 ? name : address.OriginalString[(address.OriginalString.IndexOf(':', StringComparison.Ordinal) + 1)..];
    }
}
