namespace ECommerce.Testing.Records;

/// <summary>A record as <see cref="TopicReader"/> read it: where it sits, its key, message id and contract type (from the
/// headers) and its value.</summary>
public sealed record TopicRecord(string Topic, int Partition, long Offset, string? Key, Guid? MessageId, string? MessageType, byte[] Value);
