namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>One record of balance-activity as read back: its message id, type name, user, sequence (null for a rejection, which
/// changes no balance and has none) and where it sits in the topic.</summary>
public sealed record ObservedEvent(Guid MessageId, string Type, long UserId, long? Sequence, int Partition, long Offset);
