using System.Text.Json;
using MassTransit.Serialization;

namespace ECommerce.Component.Tests.Contracts;

/// <summary>The checked-in wire samples (<c>ContractSamples/&lt;TypeName&gt;.json</c>): the schema-registry role. A sample records a
/// contract's JSON as consumers have seen it; the current contract may add to it but never take away or retype.
/// Set <c>UPDATE_CONTRACT_SAMPLES=1</c> to write samples for contracts that have none, into the source folder, to commit.
/// Existing samples are never rewritten: accepting a breaking change is a deliberate edit (or deletion) of the file.</summary>
public static class ContractSamples
{
    public const string UpdateVariable = "UPDATE_CONTRACT_SAMPLES";
    const string Folder = "ContractSamples";

    /// <summary>MassTransit's System.Text.Json serializer options: the message body on the wire is written with these.</summary>
    public static JsonSerializerOptions WireOptions => SystemTextJsonMessageSerializer.Options;

    public static bool UpdateRequested => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static string FileName(Type contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return contract.Name + ".json";
    }

    /// <summary>The samples shipped next to the test assembly (copied from the source folder by the build).</summary>
    public static string OutputDirectory => Path.Combine(AppContext.BaseDirectory, Folder);

    public static string? Read(Type contract)
    {
        var path = Path.Combine(OutputDirectory, FileName(contract));
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    public static IEnumerable<string> SampleNames() =>
        Directory.Exists(OutputDirectory)
            ? Directory.EnumerateFiles(OutputDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            : [];

    /// <summary>The current contract's canonical instance as it goes on the wire.</summary>
    public static string CurrentWireJson(Type contract) =>
        JsonSerializer.Serialize(CanonicalInstances.Create(contract), contract, WireOptions);

    /// <summary>Writes the sample of <paramref name="contract"/> into the project's source folder (and the output folder, so the
    /// run that wrote it can pass).</summary>
    public static string Write(Type contract)
    {
        using var document = JsonDocument.Parse(CurrentWireJson(contract));
        var text = JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine;
        var source = Path.Combine(SourceDirectory(), Folder, FileName(contract));
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        File.WriteAllText(source, text);
        Directory.CreateDirectory(OutputDirectory);
        File.WriteAllText(Path.Combine(OutputDirectory, FileName(contract)), text);
        return source;
    }

    static string SourceDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ECommerce.Component.Tests.csproj")))
                return directory.FullName;
        }

        throw new InvalidOperationException("Cannot find the test project's source folder above " + AppContext.BaseDirectory);
    }
}
