namespace ECommerce.AppHost.Telemetry;

internal sealed record SpanEventView(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);
