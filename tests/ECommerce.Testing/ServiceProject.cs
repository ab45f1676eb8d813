using System.Reflection;

namespace ECommerce.Testing;

/// <summary>A service project the AppHost references: where its built assembly is and where its project lives (the working
/// directory, as with <c>dotnet run</c>). The paths are written into the AppHost assembly when it is built (see the
/// EmbedServiceProjectPaths target in the project file), which is what .NET Aspire's generated <c>Projects</c> class does.</summary>
public sealed record ServiceProject(string Name, string AssemblyPath, string ProjectDirectory)
{
    private const string MetadataPrefix = "ServiceProject:";

    /// <summary>Every service project referenced by the AppHost, by name.</summary>
    public static IReadOnlyDictionary<string, ServiceProject> All { get; } = typeof(ServiceProject).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Where(a => a.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal) && a.Value is not null)
        .Select(a => Parse(a.Key[MetadataPrefix.Length..], a.Value!))
        .ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static ServiceProject Get(string name) =>
        All.TryGetValue(name, out var project)
            ? project
            : throw new KeyNotFoundException($"The test infrastructure references no service project named '{name}'.");

    private static ServiceProject Parse(string name, string value)
    {
        var parts = value.Split('|');
        return new ServiceProject(name, parts[0], parts[1]);
    }
}
