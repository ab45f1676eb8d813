using System.Diagnostics;

namespace ECommerce.AppHost.Infrastructure;

/// <summary>A long-running child process in a session of its own whose output is delivered line by line. Knows how to end
/// itself and everything it started.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;

    private ChildProcess(Process process) => this.process = process;

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>The exit code once <see cref="HasExited"/>.</summary>
    public int ExitCode => process.ExitCode;

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

    /// <summary>Completes when the process has exited and its output has been delivered.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) =>
        process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit; false if it still runs.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>SIGKILLs the process and every process below it. The tree is read before anything is killed: once a parent
    /// dies its children are re-parented and could no longer be found.</summary>
    public async Task KillTreeAsync(CancellationToken cancellationToken = default)
    {
        if (process.HasExited)
        {
            return;
        }

        var victims = new List<int> { process.Id };
        victims.AddRange(ProcessTree.DescendantsOf(process.Id));
        foreach (var pid in victims)
        {
            ProcessSignals.Kill(pid);
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await Poll.UntilAsync(() => !victims.Exists(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
            $"the processes of pid {process.Id} to die", cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => process.Dispose();
}
