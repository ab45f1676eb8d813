namespace ECommerce.Component.Tests.Infrastructure;

public sealed record SentRecord(Guid? MessageId, Type MessageType, Uri? DestinationAddress);
