using System.Runtime.InteropServices;

namespace ECommerce.Testing.Infrastructure;

/// <summary>Sends POSIX signals to processes by id: a graceful stop (SIGTERM/SIGINT) is something
/// <see cref="System.Diagnostics.Process"/> cannot do, and chaos tests need SIGKILL on processes that are not their children.</summary>
public static partial class ProcessSignals
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private const int NoSuchProcess = 3;

    /// <summary>SIGINT, what Ctrl+C sends. False when the process is already gone.</summary>
    public static bool Interrupt(int pid) => Send(pid, SigInt);

    /// <summary>SIGTERM, a graceful stop request. False when the process is already gone.</summary>
    public static bool Terminate(int pid) => Send(pid, SigTerm);

    /// <summary>SIGKILL, no cleanup possible. False when the process is already gone.</summary>
    public static bool Kill(int pid) => Send(pid, SigKill);

    /// <summary>SIGSTOP: the process stands still, every thread of it, as a machine starved of CPU or a long pause of the whole
    /// process would leave it, with its sockets open. False when the process is already gone.</summary>
    public static bool Suspend(int pid) => Send(pid, SigStop);

    /// <summary>SIGCONT: a <see cref="Suspend"/>ed process goes on. False when the process is already gone.</summary>
    public static bool Resume(int pid) => Send(pid, SigCont);

    /// <summary>True when <paramref name="pid"/> ignores SIGINT, as a process started from a shell's background job does
    /// from birth (and .NET keeps an inherited "ignore"): Ctrl+C cannot stop it, SIGTERM can.</summary>
    public static bool IgnoresInterrupt(int pid)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber,
                System.Globalization.CultureInfo.InvariantCulture, out var ignored)
            && (ignored & (1UL << (SigInt - 1))) != 0;
    }

    private static bool Send(int pid, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pid, 1);
        if (NativeMethods.Kill(pid, signal) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == NoSuchProcess
            ? false
            : throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {error}.");
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int signal);
    }
}
