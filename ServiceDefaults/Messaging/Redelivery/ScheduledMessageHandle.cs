using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Redelivery;

internal sealed class ScheduledMessageHandle<T>(Guid tokenId, DateTime scheduledTime, Uri destination, T payload) : ScheduledMessage<T>
    where T : class
{
    public Guid TokenId { get; } = tokenId;

    public DateTime ScheduledTime { get; } = scheduledTime;

    public Uri Destination { get; } = destination;

    public T Payload { get; } = payload;
}
