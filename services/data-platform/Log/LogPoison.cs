namespace ECommerce.DataPlatform.Log;

/// <summary>A record of the log that cannot be read as a domain event (no message id, an unknown type, a broken body). It is
/// kept as a dead letter and passed over, so it never blocks its stream.</summary>
public sealed record LogPoison(LogStream Stream, long Offset, Guid? MessageId, string? MessageType, string Error, string Body,
    string? Headers, string? ContentType);
