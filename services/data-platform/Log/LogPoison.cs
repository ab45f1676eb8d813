namespace ECommerce.DataPlatform.Log;

/// <summary>A record of the log that cannot be read as a domain event (no message id, an unknown type, a broken body). It is
/// kept as a dead letter and passed over, so it never blocks its partition.</summary>
/// <param name="Headers">The record's headers (and key) as JSON.</param>
public sealed record LogPoison(Guid? MessageId, string? MessageType, string Error, string Body, string? Headers, string? ContentType);
