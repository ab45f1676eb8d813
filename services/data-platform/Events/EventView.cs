using System.Text.Json;

namespace ECommerce.DataPlatform.Events;

public sealed record EventView(long Sequence, Guid MessageId, string Topic, string? PartitionKey, string MessageType, JsonElement Payload,
    string? TraceId, DateTimeOffset IngestedAt);
