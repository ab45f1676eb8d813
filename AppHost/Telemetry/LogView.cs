using System.Text.Json.Serialization;

namespace ECommerce.AppHost.Telemetry;

/// <summary>One structured log record as the logs API shows it.</summary>
internal sealed record LogView(long Sequence, DateTimeOffset Time, string Service, LogLevelName Level, string Category, string Message,
    string? TraceId, string? SpanId, IReadOnlyDictionary<string, string> Attributes)
{
    [JsonIgnore]
    public string? SearchText { get; init; }
}
