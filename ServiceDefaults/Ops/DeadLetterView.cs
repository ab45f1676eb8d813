namespace ECommerce.ServiceDefaults.Ops;

public sealed record DeadLetterView(Guid Id, string Queue, string? MessageType, Guid? MessageId, string? Exception,
    DateTimeOffset FaultedAt, string Payload);
