using System.Globalization;
using System.Text.Json;

namespace ECommerce.Component.Tests.Contracts;

/// <summary>The shape of a JSON document: every property path (array elements as <c>[]</c>) with its JSON type, where strings
/// are told apart by format (a GUID, a timestamp, free text) and numbers by whether they have fraction digits. Two shapes are
/// compatible when the current one keeps every path of the sample with the same type; added paths are fine.</summary>
public sealed class JsonShape
{
    readonly SortedDictionary<string, string> _paths;

    JsonShape(SortedDictionary<string, string> paths) => _paths = paths;

    public IReadOnlyDictionary<string, string> Paths => _paths;

    public static JsonShape Of(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Of(document.RootElement);
    }

    public static JsonShape Of(JsonElement root)
    {
        var paths = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(root, "$", paths);
        return new JsonShape(paths);
    }

    /// <summary>Every way <paramref name="current"/> breaks a reader that expects <paramref name="sample"/>; empty when compatible.</summary>
    public static IReadOnlyList<string> BreakingChanges(JsonShape sample, JsonShape current)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(current);
        var problems = new List<string>();
        foreach (var (path, kind) in sample._paths)
        {
            if (!current._paths.TryGetValue(path, out var now))
                problems.Add($"{path} ({kind}) is missing");
            else if (now != kind)
                problems.Add($"{path} changed from {kind} to {now}");
        }

        return problems;
    }

    public static IReadOnlyList<string> Additions(JsonShape sample, JsonShape current)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(current);
        return current._paths.Keys.Where(p => !sample._paths.ContainsKey(p)).ToList();
    }

    static void Walk(JsonElement element, string path, SortedDictionary<string, string> paths)
    {
        paths[path] = KindOf(element);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, $"{path}.{property.Name}", paths);
                break;
            case JsonValueKind.Array:
                // Every element of a contract's list has the same type: the first one stands for all.
                foreach (var item in element.EnumerateArray().Take(1))
                    Walk(item, path + "[]", paths);
                break;
        }
    }

    static string KindOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String when element.TryGetGuid(out _) => "string:uuid",
        JsonValueKind.String when element.TryGetDateTimeOffset(out _) => "string:date-time",
        JsonValueKind.String => "string",
        JsonValueKind.Number when element.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0 => "number:decimal",
        JsonValueKind.Number => "number:integer",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
