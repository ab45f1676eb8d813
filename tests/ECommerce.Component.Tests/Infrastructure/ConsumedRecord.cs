namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>One consume outcome seen by the bus's consume observers: <see cref="Exception"/> is null when the consumer completed
/// (the message is acknowledged). Attempts that retry or redelivery absorb are mostly not reported to the observers, so failures are not counted from here.</summary>
public sealed record ConsumedRecord(Guid? MessageId, Type MessageType, Uri? InputAddress, Exception? Exception)
{
    public bool Succeeded => Exception is null;
}
