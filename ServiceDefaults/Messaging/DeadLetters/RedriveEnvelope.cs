namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>A dead letter's stored envelope, read back: the message (of a known contract) and its ids and headers.</summary>
public sealed record RedriveEnvelope(Type Type, object Message, Guid? MessageId, Guid? CorrelationId, Guid? ConversationId,
    IReadOnlyDictionary<string, string> Headers);
