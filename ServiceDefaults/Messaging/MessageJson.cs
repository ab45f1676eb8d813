using System.Text.Json;
using System.Text.Json.Serialization;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>The JSON shape of messages at rest (outbox rows) — the same camelCase shape the contracts have on the wire.</summary>
public static class MessageJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
