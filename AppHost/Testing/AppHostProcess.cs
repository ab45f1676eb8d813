using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using ECommerce.AppHost.Hosting;
using ECommerce.AppHost.Infrastructure;

namespace ECommerce.AppHost.Testing;

/// <summary>The built AppHost run as a separate process, for end-to-end tests: on ports of its own, with a data directory
/// of its own, and with a marker in its environment by which every process it starts can be found (and checked to be gone
/// after it stops). If the test process dies, an orphan guard sends the AppHost SIGTERM, so that it stops what it started.</summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    /// <summary>The environment variable whose value is <see cref="RunId"/> in every process of the run.</summary>
    public const string RunIdVariable = "ECOMMERCE_APPHOST_RUN_ID";

    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromMinutes(2);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly ChildProcess process;
    private readonly OrphanGuard guard;
    private readonly bool ownsDataDirectory;
    private readonly List<string> output = [];
    private readonly Lock outputGate = new();

    private AppHostProcess(AppHostProcessOptions options, int portOffset, string dataDirectory, bool ownsDataDirectory)
    {
        PortOffset = portOffset;
        DataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
        RunId = Guid.NewGuid().ToString("N");
        var arguments = new List<string>
        {
            AssemblyPath, "--port-offset", portOffset.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory,
        };
        if (options.UsePostgres)
        {
            arguments.Add("--postgres");
        }

        if (options.RabbitMqCluster)
        {
            arguments.Add("--rabbitmq-cluster");
        }

        var environment = new Dictionary<string, string?>(options.Environment, StringComparer.Ordinal)
        {
            [RunIdVariable] = RunId,
        };
        guard = OrphanGuard.Start();
        process = ChildProcess.Start(DotNetHost.Path, arguments, ServiceAccount.CurrentUser, environment, Path.GetTempPath(),
            (line, _) =>
            {
                lock (outputGate)
                {
                    output.Add(line);
                }

                options.OnOutput?.Invoke(line);
            });
        guard.Arm(string.Create(CultureInfo.InvariantCulture,
            $"kill -TERM {process.Pid}; i=0; while kill -0 {process.Pid} && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done; kill -9 {process.Pid}"));
    }

    /// <summary>The AppHost assembly this class belongs to, as built in its own project (runnable with <c>dotnet</c>).</summary>
    public static string AssemblyPath { get; } = typeof(AppHostProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "AppHostAssembly")?.Value
        ?? typeof(AppHostProcess).Assembly.Location;

    public int Pid => process.Pid;

    public int PortOffset { get; }

    public string DataDirectory { get; }

    /// <summary>The value of <see cref="RunIdVariable"/> in this run's processes.</summary>
    public string RunId { get; }

    /// <summary>What the AppHost reported as its cold start ("cold start to all healthy: X s"), once it did.</summary>
    public TimeSpan? ColdStart
    {
        get
        {
            lock (outputGate)
            {
                var match = output.Select(line => ColdStartLine().Match(line)).LastOrDefault(m => m.Success);
                return match is null ? null : TimeSpan.FromSeconds(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Everything the AppHost has written so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (outputGate)
            {
                return output.ToList();
            }
        }
    }

    /// <summary>Starts the AppHost and completes when every service answers GET /health with 200 and the AppHost has
    /// reported its cold start (all resources healthy).</summary>
    public static async Task<AppHostProcess> StartAsync(AppHostProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AppHostProcessOptions();
        var ownsDataDirectory = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "ecommerce-apphost-test-" + Guid.NewGuid().ToString("N")[..12]);
        var appHost = new AppHostProcess(options, options.PortOffset ?? ReserveFreePortOffset(), dataDirectory, ownsDataDirectory);
        try
        {
            await appHost.WaitUntilHealthyAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return appHost;
        }
        catch
        {
            await appHost.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The base address of a service, e.g. <c>ServiceUri("order")</c>.</summary>
    public Uri ServiceUri(string service) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ECommerceSuite.DefaultPortOf(service) + PortOffset}/"));

    /// <summary>The dashboard's base address (its API is under <c>/api</c>).</summary>
    public Uri DashboardUri =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ECommerceSuite.DefaultDashboardPort + PortOffset}/"));

    /// <summary>Every living process of this run, the AppHost included, found by the marker in their environment.</summary>
    public IReadOnlyList<int> FindProcesses() => ProcessTree.FindByEnvironment(RunIdVariable, RunId);

    /// <summary>Sends SIGINT (Ctrl+C) and waits for the AppHost to exit; returns its exit code. When the AppHost ignores
    /// SIGINT because this process was itself started with SIGINT ignored (a background job of a script), SIGTERM is sent
    /// instead, which the AppHost handles the same way.</summary>
    /// <exception cref="TimeoutException">It did not exit in time (it is then killed).</exception>
    public async Task<int> StopAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!process.HasExited)
        {
            if (ProcessSignals.IgnoresInterrupt(process.Pid))
            {
                ProcessSignals.Terminate(process.Pid);
            }
            else
            {
                ProcessSignals.Interrupt(process.Pid);
            }

            var limit = timeout ?? DefaultStopTimeout;
            if (!await process.WaitForExitAsync(limit, cancellationToken).ConfigureAwait(false))
            {
                await process.KillTreeAsync(cancellationToken).ConfigureAwait(false);
                throw new TimeoutException($"The AppHost did not exit within {limit.TotalSeconds:0} s of SIGINT.{Environment.NewLine}{Tail()}");
            }
        }

        return process.ExitCode;
    }

    /// <summary>Stops the AppHost if it still runs, kills anything of the run that is left, and deletes the data directory
    /// if it was made for this run.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            try
            {
                await StopAsync().ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Killed; the leftovers are handled below.
            }
        }

        foreach (var pid in FindProcesses())
        {
            ProcessSignals.Kill(pid);
        }

        guard.Dispose();
        process.Dispose();
        if (ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>A port offset that moves all five fixed ports of the suite onto free ports below the ephemeral range, and
    /// reserves them (see <see cref="FreePort"/>) for this process.</summary>
    public static int ReserveFreePortOffset()
    {
        var basePorts = ECommerceSuite.ServiceNames.Select(ECommerceSuite.DefaultPortOf).Append(ECommerceSuite.DefaultDashboardPort).ToList();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var offset = Random.Shared.Next(1000, 12000);
            if (basePorts.All(port => FreePort.TryReserve(port + offset)))
            {
                return offset;
            }
        }

        throw new InvalidOperationException("No port offset found with all of the suite's ports free.");
    }

    private string Tail()
    {
        lock (outputGate)
        {
            return string.Join(Environment.NewLine, output.TakeLast(200));
        }
    }

    [GeneratedRegex(@"cold start to all healthy: (\d+(?:\.\d+)?) s")]
    private static partial Regex ColdStartLine();

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Poll.UntilAsync(async token =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The AppHost exited with code {process.ExitCode}.");
                }

                foreach (var service in ECommerceSuite.ServiceNames)
                {
                    try
                    {
                        using var response = await Http.GetAsync(new Uri(ServiceUri(service), "health"), token).ConfigureAwait(false);
                        if (!response.IsSuccessStatusCode)
                        {
                            return false;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                    catch (TaskCanceledException) when (!token.IsCancellationRequested)
                    {
                        return false;
                    }
                }

                // The AppHost's own verdict, which may come a health-check interval after the services answer.
                return ColdStart is not null;
            }, timeout, "every service of the AppHost to answer /health with 200 and the AppHost to report them healthy",
                cancellationToken, TimeSpan.FromMilliseconds(250))
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The AppHost did not become healthy: {e.Message}{Environment.NewLine}Last output:{Environment.NewLine}{Tail()}", e);
        }
    }
}
