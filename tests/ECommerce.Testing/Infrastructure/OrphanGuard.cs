using System.Diagnostics;

namespace ECommerce.Testing.Infrastructure;

/// <summary>A tiny shell process that cleans up after this process if it dies without doing so itself (a crashed test run,
/// a SIGKILLed AppHost). It holds a cleanup command and waits on a pipe from this process; when the pipe reaches end-of-file
/// (which the kernel guarantees however this process ends) it runs the command it was last given. The owner re-arms it
/// whenever what needs cleaning changes and disarms it once it has cleaned up itself.</summary>
public sealed class OrphanGuard : IDisposable
{
    // The last line read is the command; an empty last line means nothing to do. The guard runs in a session of its own
    // so that a Ctrl+C meant for its owner does not kill it first.
    private const string Script = "exec >/dev/null 2>&1; c=; while IFS= read -r l; do c=$l; done; [ -n \"$c\" ] && eval \"$c\"";

    private readonly Process process;
    private readonly Lock gate = new();
    private bool disposed;

    private OrphanGuard(Process process) => this.process = process;

    public static OrphanGuard Start()
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = "setsid",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Script);
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the orphan guard shell.");
        return new OrphanGuard(process);
    }

    /// <summary>A guard that SIGKILLs process <paramref name="pid"/> if this process dies first (a service instance started by
    /// a test run that crashed).</summary>
    public static OrphanGuard ForProcess(int pid)
    {
        var guard = Start();
        guard.Arm(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"kill -9 {pid}"));
        return guard;
    }

    /// <summary>Replaces the shell command run if this process dies. It must be a single line.</summary>
    public void Arm(string shellCommand)
    {
        ArgumentException.ThrowIfNullOrEmpty(shellCommand);
        if (shellCommand.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("The cleanup command must be a single line.", nameof(shellCommand));
        }

        Write(shellCommand);
    }

    /// <summary>Disarms the guard and lets it exit.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            try
            {
                process.StandardInput.WriteLine();
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The guard is already gone; nothing to disarm.
            }

            process.Dispose();
        }
    }

    /// <summary>Quotes a value for a POSIX shell command line.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void Write(string line)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            process.StandardInput.WriteLine(line);
            process.StandardInput.Flush();
        }
    }
}
