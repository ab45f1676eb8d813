using System.Text.Json;

namespace ECommerce.DataPlatform.Events;

public sealed record EventView(long Sequence, Guid MessageId, string Topic, int? Partition, long Offset, string? Key, string MessageType,
    JsonElement Payload, string? TraceId, DateTimeOffset? SentAt, DateTimeOffset IngestedAt);
