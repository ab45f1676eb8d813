namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A directory of its own per test (its SQLite files), removed afterwards, so tests never share state.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ecommerce-component-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a pooled SQLite handle may still be closing; the OS temp folder is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
