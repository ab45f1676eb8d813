namespace ECommerce.Testing.Infrastructure;

/// <summary>The <c>dotnet</c> executable that runs this process, used to run the services' assemblies the same way.</summary>
internal static class DotNetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        // Run as "dotnet ECommerce.AppHost.dll": that dotnet. Run through the native apphost (dotnet run): the dotnet of the
        // runtime in use, three levels above it (<root>/shared/Microsoft.NETCore.App/<version>/).
        if (Environment.ProcessPath is { } processPath
            && System.IO.Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.Ordinal))
        {
            return processPath;
        }

        var runtimeDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(runtimeDirectory, "..", "..", "..", "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
