using System.Globalization;
using ECommerce.AppHost.Telemetry.Otlp;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace ECommerce.AppHost.Telemetry;

/// <summary>Turns OTLP's wire values into what the dashboard shows: hex ids, times, attribute strings.</summary>
internal static class OtlpValues
{
    public const string UnknownService = "unknown_service";

    public static string Hex(ByteString bytes) => bytes.IsEmpty ? string.Empty : Convert.ToHexStringLower(bytes.Span);

    public static DateTimeOffset Time(ulong unixNanos) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));

    public static string ServiceOf(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue is { Length: > 0 } name ? name : UnknownService;

    /// <summary>One process of a service: its service.instance.id, else the service name.</summary>
    public static string InstanceOf(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.instance.id")?.Value?.StringValue is { Length: > 0 } id ? id : ServiceOf(resource);

    public static Dictionary<string, string> Attributes(RepeatedField<KeyValue> attributes)
    {
        var result = new Dictionary<string, string>(attributes.Count, StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = Text(attribute.Value);
        }

        return result;
    }

    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => kv.Key + ": " + Text(kv.Value))) + "}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        _ => string.Empty,
    };

    public static string Kind(int kind) => kind switch
    {
        2 => "server",
        3 => "client",
        4 => "producer",
        5 => "consumer",
        _ => "internal",
    };

    public static string Status(int code) => code switch
    {
        1 => "ok",
        2 => "error",
        _ => "unset",
    };

    /// <summary>The .NET log level of an OTLP severity number (1-4 trace … 21-24 fatal).</summary>
    public static LogLevelName Level(int severityNumber) => severityNumber switch
    {
        >= 21 => LogLevelName.Critical,
        >= 17 => LogLevelName.Error,
        >= 13 => LogLevelName.Warning,
        >= 9 => LogLevelName.Information,
        >= 5 => LogLevelName.Debug,
        _ => LogLevelName.Trace,
    };
}
