using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ECommerce.Testing.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.AppHost.Tests.Suite;

/// <summary>The real AppHost (its Program.cs, every resource it declares) run by Aspire.Hosting.Testing, on ports and a data
/// directory of its own so that tests can run beside each other and beside a developer's suite. Disposing it stops the
/// application and checks that no process it started is left.</summary>
public sealed class SuiteApp : IAsyncDisposable
{
    public static readonly string[] Services = ["order", "coupon", "balance", "data-platform"];
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);

    readonly CancellationTokenSource _stopping = new();
    readonly List<Task> _logWatchers = [];
    readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    bool _stopped;

    SuiteApp(DistributedApplication app, string dataDirectory, int portBase)
    {
        App = app;
        DataDirectory = dataDirectory;
        PortBase = portBase;
    }

    public DistributedApplication App { get; }

    /// <summary>Where the services' SQLite files and the servers' data live; removed on dispose.</summary>
    public string DataDirectory { get; }

    public int PortBase { get; }

    public TimeSpan StartedIn { get; private set; }

    public static async Task<SuiteApp> StartAsync(SuiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTime.UtcNow;
        var dataDirectory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ecommerce-suite-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        // The suite's ports are offsets from the base, the broker's nodes up to +31.
        var portBase = FreePort.NextBlock(50);
        string[] args =
        [
            Setting("AppHost:PortBase", portBase.ToString(CultureInfo.InvariantCulture)),
            Setting("AppHost:DataDirectory", dataDirectory),
            Setting("AppHost:UsePostgres", options.Postgres ? "true" : "false"),
            Setting("AppHost:KafkaNodes", options.BrokerNodes.ToString(CultureInfo.InvariantCulture)),
            Setting("AppHost:Replicas", options.Replicas.ToString(CultureInfo.InvariantCulture)),
            // Without a dashboard nothing receives telemetry; exporting anyway only slows every stop down.
            Setting("AppHost:ExportTelemetry", options.Dashboard ? "true" : "false"),
            // The test's own environment must not point the suite at some other broker.
            Setting("ConnectionStrings:messaging", string.Empty),
            .. options.Configuration.Select(kv => Setting(kv.Key, kv.Value)),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ECommerce_AppHost>(args,
            (app, _) =>
            {
                app.DisableDashboard = !options.Dashboard;
                app.AllowUnsecuredTransport = true;
            });
        if (options.Dashboard)
            builder.Configuration["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        var application = await builder.BuildAsync();
        var suite = new SuiteApp(application, dataDirectory, portBase);
        try
        {
            suite.WatchLogs(options.Log);
            await application.StartAsync().WaitAsync(StartTimeout);
            using var timeout = new CancellationTokenSource(StartTimeout);
            await Task.WhenAll(Services.Select(s => application.ResourceNotifications.WaitForResourceHealthyAsync(s, timeout.Token)));
            suite.StartedIn = DateTime.UtcNow - started;
            options.Log?.Invoke($"[test] suite healthy after {suite.StartedIn.TotalSeconds:0.0} s");
            return suite;
        }
        catch
        {
            foreach (var resource in application.Services.GetRequiredService<DistributedApplicationModel>().Resources)
            {
                if (application.ResourceNotifications.TryGetCurrentState(resource.Name, out var state))
                    options.Log?.Invoke($"[test] {resource.Name}: {state!.Snapshot.State?.Text}, health {state.Snapshot.HealthStatus}, exit code {state.Snapshot.ExitCode}");
            }

            await suite.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client for a service's HTTP endpoint (as Aspire proxies it).</summary>
    public HttpClient Client(string service)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(service, out var client))
            {
                client = App.CreateHttpClient(service, "http");
                client.Timeout = TimeSpan.FromSeconds(60);
                _clients[service] = client;
            }

            return client;
        }
    }

    /// <summary>The Aspire dashboard's address (when started with <see cref="SuiteOptions.Dashboard"/>).</summary>
    public Uri DashboardUri =>
        App.ResourceNotifications.TryGetCurrentState("aspire-dashboard", out var state)
        && state!.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "DASHBOARD__FRONTEND__PUBLICURL")?.Value is { } url
            ? new Uri(url)
            : throw new InvalidOperationException("The dashboard is not running (SuiteOptions.Dashboard).");

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string.");

    public CustomResourceSnapshot Snapshot(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var state)
            ? state!.Snapshot
            : throw new InvalidOperationException($"No resource named {resource}.");

    public IReadOnlyList<int> LeftoverProcesses() => ProcessTree.FindMentioning(DataDirectory);

    /// <summary>Stops the application and waits until none of its processes is left; safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        try
        {
            await App.StopAsync().WaitAsync(StopTimeout);
        }
        finally
        {
            await App.DisposeAsync();
            await _stopping.CancelAsync();
            await Task.WhenAll(_logWatchers).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await Poll.UntilAsync(() => LeftoverProcesses().Count == 0, TimeSpan.FromSeconds(60),
            "every process of the stopped suite to be gone");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            foreach (var client in _clients.Values)
                client.Dispose();
            _stopping.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(DataDirectory))
                Directory.Delete(DataDirectory, recursive: true);
        }
    }

    void WatchLogs(Action<string>? log)
    {
        if (log is null)
            return;
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources)
        {
            _logWatchers.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in loggers.WatchAsync(resource.Name).WithCancellation(_stopping.Token))
                    {
                        foreach (var line in batch)
                            log($"[{resource.Name}] {line.Content}");
                    }
                }
                catch (OperationCanceledException)
                {
                    // Stopped.
                }
            }));
        }
    }

    static string Setting(string key, string value) => $"--{key}={value}";
}
