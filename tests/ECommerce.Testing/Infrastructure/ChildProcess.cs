using System.Diagnostics;

namespace ECommerce.Testing.Infrastructure;

/// <summary>A long-running child process in a session of its own whose output is delivered line by line. Knows how to end
/// itself and everything it started.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;

    private ChildProcess(Process process)
    {
        this.process = process;
        Pid = process.Id;
        Exited = WatchAsync(process);
    }

    public int Pid { get; }

    /// <summary>Completes with the exit code once the process has exited and all its output has been delivered.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    /// <summary>The exit code once <see cref="HasExited"/>.</summary>
    public int ExitCode => Exited.Result;

    /// <param name="onOutput">Each line of standard output (false) and standard error (true); called on a thread-pool thread.</param>
    public static ChildProcess Start(string fileName, IReadOnlyList<string> arguments, ServiceAccount account,
        IReadOnlyDictionary<string, string?> environment, string workingDirectory, Action<string, bool> onOutput)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The child gets a pipe that reads end-of-file at once rather than the terminal; servers never read it.
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        account.Apply(startInfo, fileName, arguments);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, isError: true);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process);

        void Forward(string? line, bool isError)
        {
            if (line is not null)
            {
                onOutput(line, isError);
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit; false if it still runs.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Exited.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>SIGKILLs the process and every process below it. The tree is read before anything is killed: once a parent
    /// dies its children are re-parented and could no longer be found.</summary>
    public async Task KillTreeAsync(CancellationToken cancellationToken = default)
    {
        var victims = new List<int> { Pid };
        victims.AddRange(ProcessTree.DescendantsOf(Pid));
        foreach (var pid in victims)
        {
            ProcessSignals.Kill(pid);
        }

        await Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        await Poll.UntilAsync(() => !victims.Exists(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
            $"the processes of pid {Pid} to die", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the process handle; call after the process has exited.</summary>
    public void Dispose() => process.Dispose();

    private static async Task<int> WatchAsync(Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
