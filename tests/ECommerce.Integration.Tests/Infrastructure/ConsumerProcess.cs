using System.Diagnostics;
using System.Reflection;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>A consumer instance running as a child process (ECommerce.Integration.TestHost), so a test can kill it with
/// SIGKILL exactly as a crash would: no shutdown code runs, the record in hand is not finished and what it applied since its
/// last commit is not committed (it leaves the group only when the broker gives up on its session).
/// Its standard input stays open while it should run; closing it asks for a graceful stop, and if the test process dies the
/// pipe closes by itself so the instance never outlives the test.</summary>
public sealed class ConsumerProcess : IAsyncDisposable
{
    static readonly Lazy<string> HostAssembly = new(() => typeof(ConsumerProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TestHostAssembly").Value
        ?? throw new InvalidOperationException("The test assembly does not record where the test host was built."));

    readonly Process _process;
    readonly string _name;
    readonly OutputLog _log;

    ConsumerProcess(Process process, string name, OutputLog log)
    {
        _process = process;
        _name = name;
        _log = log;
        Pid = process.Id;
    }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    public static ConsumerProcess Start(string name, IReadOnlyDictionary<string, string?> environment, OutputLog log)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(log);
        if (!File.Exists(HostAssembly.Value))
            throw new FileNotFoundException("The consumer test host has not been built.", HostAssembly.Value);

        var startInfo = new ProcessStartInfo(DotNetHost(), [HostAssembly.Value])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(HostAssembly.Value)!,
        };
        // The test process's own settings (ASPNETCORE_*, DOTNET_ENVIRONMENT, a developer's ConnectionStrings__*) stay out.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Messaging__", StringComparison.OrdinalIgnoreCase)).ToList())
            startInfo.Environment.Remove(key);
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Test";
        startInfo.Environment["Logging__LogLevel__Default"] = "Warning";
        startInfo.Environment["Logging__LogLevel__ECommerce"] = "Information";
        startInfo.Environment["Logging__Console__FormatterName"] = "simple";
        startInfo.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
            startInfo.Environment[key] = value;

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.Write($"[{name}] started as pid {process.Id}");
        return new ConsumerProcess(process, name, log);

        void Forward(string? line)
        {
            if (line is not null)
                log.Write($"[{name}] {line}");
        }
    }

    /// <summary>SIGKILL, and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        ProcessSignals.Kill(Pid);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        _log.Write($"[{_name}] killed (SIGKILL)");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A graceful stop first (end of standard input), so the instance leaves the broker and database cleanly.
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    /// <summary>The dotnet executable that runs this test process (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    static string DotNetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
