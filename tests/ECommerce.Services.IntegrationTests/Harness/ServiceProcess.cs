using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using ECommerce.Testing;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>One instance of a built service (<c>dotnet ECommerce.Coupon.dll</c>, for instance) as a child process on a port of
/// its own, configured only through its environment, as the AppHost runs it. A child process, not an in-process host, so that a
/// test can SIGKILL it exactly as a crash would: no shutdown code runs, open transactions are left to the database, and the
/// partitions it owned, with whatever it handled but had not committed, to its group's next member once the broker's session
/// timeout declares it dead.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    // Environment this process may carry (a developer's shell, the AppHost's test settings) that must not reach the instance.
    static readonly string[] InheritedPrefixes =
        ["ConnectionStrings__", "Messaging__", "Persistence__", "Logging__", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "OTEL_"];

    readonly Process _process;
    readonly OrphanGuard _guard;
    readonly ConcurrentQueue<string> _tail = new();
    readonly HttpClient _health;

    ServiceProcess(string name, Process process, OrphanGuard guard, Uri baseAddress)
    {
        Name = name;
        _process = process;
        _guard = guard;
        Pid = process.Id;
        BaseAddress = baseAddress;
        _health = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
    }

    public string Name { get; }

    public int Pid { get; }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The partitions the instance's consumer groups own, as it reports them.</summary>
    public GroupAssignments Assignments { get; } = new();

    /// <summary>The last lines the instance wrote, for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _tail);

    /// <summary>A service's assembly as built with the AppHost (which references every service and records where each one's
    /// output is), so the path is never guessed from folder names.</summary>
    public static string AssemblyPath(string service) => ServiceProject.Get(service).AssemblyPath;

    /// <param name="service">The service's resource name: coupon, balance, order or data-platform.</param>
    /// <param name="name">This instance's name in the log.</param>
    /// <param name="log">Receives every line the instance writes, prefixed with its name.</param>
    public static ServiceProcess Start(string service, string name, ServiceSettings settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var assembly = AssemblyPath(service);
        if (!File.Exists(assembly))
            throw new FileNotFoundException($"The {service} service has not been built (building the AppHost builds it).", assembly);

        var port = FreePort.Next();
        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        var startInfo = new ProcessStartInfo(DotNetHost(), [assembly])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var key in startInfo.Environment.Keys
                     .Where(k => InheritedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
            startInfo.Environment.Remove(key);

        var environment = startInfo.Environment;
        environment["ASPNETCORE_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority);
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["ConnectionStrings__messaging"] = settings.BootstrapServers;
        environment[$"ConnectionStrings__{service}"] = settings.Database;
        environment["Messaging__Transport"] = "Kafka";
        environment["Messaging__TopicPrefix"] = settings.TopicPrefix;
        environment["Messaging__OutboxLease"] = settings.OutboxLease.ToString("c", CultureInfo.InvariantCulture);
        // Warnings and the platform's own start-up lines only: a console line per request would cost the service more than
        // the work being measured.
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Logging__LogLevel__ECommerce"] = "Information";
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in settings.Environment)
            environment[key] = value;

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.Start();
        // Servers never read their standard input; a pipe that is closed at once reads end-of-file instead of a terminal.
        process.StandardInput.Close();
        var instance = new ServiceProcess(name, process, OrphanGuard.ForProcess(process.Id), baseAddress);
        process.OutputDataReceived += (_, e) => instance.Forward(e.Data, log);
        process.ErrorDataReceived += (_, e) => instance.Forward(e.Data, log);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log($"[{name}] started as pid {process.Id} on {baseAddress}");
        return instance;
    }

    /// <summary>Waits until <c>/health</c> answers 200 (database and broker reachable); fails at once if the process exits.</summary>
    public Task WaitHealthyAsync(TimeSpan timeout) =>
        Poll.UntilAsync(async ct =>
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was healthy:{Environment.NewLine}{RecentOutput}");
            try
            {
                using var response = await _health.GetAsync(new Uri("health", UriKind.Relative), ct).ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }, timeout, $"{Name} to answer /health with 200", interval: TimeSpan.FromMilliseconds(200));

    /// <summary>Whether <paramref name="clientId"/> (a Kafka client id of the suite, <c>group-host-pid</c>) is one of this
    /// instance's consumers.</summary>
    public bool IsClient(string? clientId) =>
        clientId is not null && clientId.EndsWith(string.Create(CultureInfo.InvariantCulture, $"-{Pid}"), StringComparison.Ordinal);

    /// <summary>SIGKILL, as a crash: and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        ProcessSignals.Kill(Pid);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, ASP.NET Core's graceful stop: requests in flight are answered, each partition worker finishes its
    /// record in hand, the offsets are committed and the member leaves its group (its partitions move at once), the relay
    /// hands its lease back. Waits for the exit; SIGKILL if it has not stopped within <paramref name="patience"/>. Returns
    /// false when it had to be killed.</summary>
    public async Task<bool> StopAsync(TimeSpan patience)
    {
        if (_process.HasExited)
            return true;
        ProcessSignals.Terminate(Pid);
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            ProcessSignals.Kill(Pid);
            await _process.WaitForExitAsync().ConfigureAwait(false);
            return false;
        }
    }

    /// <summary><see cref="StopAsync"/> with 20 s of patience, then the process's resources are released.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        _guard.Dispose();
        _health.Dispose();
        _process.Dispose();
    }

    void Forward(string? line, Action<string> log)
    {
        if (line is null)
            return;
        _tail.Enqueue(line);
        Assignments.Observe(line);
        while (_tail.Count > 100 && _tail.TryDequeue(out _))
        {
        }

        log($"[{Name}] {line}");
    }

    /// <summary>The dotnet executable that runs this process (the SDK's test host sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    static string DotNetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
