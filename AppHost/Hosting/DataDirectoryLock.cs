using System.Globalization;

namespace ECommerce.AppHost.Hosting;

/// <summary>An exclusive lock on a data directory, so that two AppHosts never share SQLite files. It is an OS file lock,
/// which the kernel drops when its process dies: a crashed run leaves no stale lock behind. The holder's pid is written
/// to a separate file, which can be read while the lock is held.</summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream stream;
    private readonly string pidFile;

    private DataDirectoryLock(FileStream stream, string pidFile)
    {
        this.stream = stream;
        this.pidFile = pidFile;
    }

    /// <summary>Null when another process holds the lock; <paramref name="holder"/> then says which, if known.</summary>
    public static DataDirectoryLock? TryAcquire(string directory, out string? holder)
    {
        Directory.CreateDirectory(directory);
        var pidFile = Path.Combine(directory, "apphost.pid");
        try
        {
            var stream = new FileStream(Path.Combine(directory, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            holder = null;
            return new DataDirectoryLock(stream, pidFile);
        }
        catch (IOException)
        {
            holder = File.Exists(pidFile) ? "pid " + File.ReadAllText(pidFile).Trim() : null;
            return null;
        }
    }

    public void Dispose()
    {
        File.Delete(pidFile);
        stream.Dispose();
    }
}
