using System.Diagnostics;
using System.Globalization;
using ECommerce.AppHost.Hosting.Model;
using ECommerce.AppHost.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace ECommerce.AppHost.Hosting;

/// <summary>Runs the <see cref="AppModel"/>: starts every resource once the resources it waits for are healthy, watches
/// processes and health while the AppHost runs, and on shutdown stops resources before what they depend on (services, then
/// the broker, then the database). Every change is published through the <see cref="ResourceRegistry"/>.</summary>
public sealed class Orchestrator : BackgroundService
{
    private readonly AppModel model;
    private readonly ResourceRegistry registry;
    private readonly AppHostSettings settings;
    private readonly ConsoleReporter reporter;
    private readonly IHostApplicationLifetime lifetime;
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private DataDirectoryLock? dataDirectoryLock;

    public Orchestrator(AppModel model, ResourceRegistry registry, AppHostSettings settings, ConsoleReporter reporter,
        IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(registry);
        this.model = model;
        this.registry = registry;
        this.settings = settings;
        this.reporter = reporter;
        this.lifetime = lifetime;
        foreach (var resource in model.Resources)
        {
            registry.Add(new ResourceSnapshot
            {
                Name = resource.Name,
                ResourceType = resource.ResourceType,
                WaitFor = resource.WaitForResources.Select(r => r.Name).ToList(),
                References = resource.ReferenceNames,
            });
        }
    }

    /// <summary>0 unless the AppHost could not do its job (a prerequisite missing, infrastructure that did not start).</summary>
    public int ExitCode { get; private set; }

    /// <summary>From process start to every resource healthy; null until then.</summary>
    public TimeSpan? ColdStart { get; private set; }

    /// <summary>Stops a service and starts it again (the dashboard's restart command); completes when it is healthy again
    /// or its startup timeout has passed.</summary>
    public async Task RestartResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var resource = model.Resources.FirstOrDefault(r => r.Name == name)
            ?? throw new ArgumentException($"There is no resource named '{name}'.", nameof(name));
        if (resource is not ProjectResource project)
        {
            throw new NotSupportedException($"Only services can be restarted; '{name}' is a {resource.ResourceType}.");
        }

        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopResourceAsync(project).ConfigureAwait(false);
            registry.Update(name, s => s with { RestartCount = s.RestartCount + 1 });
            await StartResourceAsync(project, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await StopAllAsync().ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
            dataDirectoryLock?.Dispose();
            dataDirectoryLock = null;
        }
    }

    public override void Dispose()
    {
        dataDirectoryLock?.Dispose();
        lifecycle.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!CheckPrerequisites())
        {
            Fail();
            return;
        }

        bool infrastructureStarted;
        try
        {
            infrastructureStarted = await StartAllAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            reporter.Error("starting the resources failed: " + e);
            infrastructureStarted = false;
        }

        if (!infrastructureStarted)
        {
            reporter.Error("the infrastructure did not start; stopping.");
            Fail();
            return;
        }

        await MonitorHealthAsync(stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Starts everything and reports the outcome; false when infrastructure (anything but a service) failed, which
    /// leaves the AppHost nothing useful to run.</summary>
    private async Task<bool> StartAllAsync(CancellationToken stoppingToken)
    {
        await lifecycle.WaitAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(model.Resources.Select(resource => StartResourceAsync(resource, stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }

        reporter.PrintTable();
        var snapshots = registry.GetSnapshots();
        if (snapshots.All(s => s.State == ResourceState.Healthy))
        {
            using var self = Process.GetCurrentProcess();
            ColdStart = DateTime.Now - self.StartTime;
            reporter.Info(string.Create(CultureInfo.InvariantCulture, $"cold start to all healthy: {ColdStart.Value.TotalSeconds:0.0} s"));
        }
        else if (model.Resources.Any(r => r is not ProjectResource && registry.GetSnapshot(r.Name)?.State != ResourceState.Healthy))
        {
            return false;
        }
        else
        {
            reporter.Error("not every service became healthy; the AppHost keeps running so you can look (Ctrl+C stops it).");
        }

        return true;
    }

    private bool CheckPrerequisites()
    {
        var dataDirectory = settings.ResolveDataDirectory();
        dataDirectoryLock = DataDirectoryLock.TryAcquire(dataDirectory, out var holder);
        if (dataDirectoryLock is null)
        {
            reporter.Error($"another AppHost ({holder ?? "unknown pid"}) uses the data directory {dataDirectory}. Stop it, or pass --data-dir.");
            return false;
        }

        reporter.Info($"data directory: {dataDirectory}");
        var ready = true;
        if (model.Resources.OfType<RabbitMqResource>().Any(r => r.ExternalUri is null) && !RabbitMqNode.IsInstalled)
        {
            reporter.Error("RabbitMQ is not installed (no rabbitmq-server in " + RabbitMqNode.DefaultBinDirectory + "). Install it with:");
            reporter.Error("    sudo " + RabbitMqNode.InstallCommand);
            reporter.Error("or point ConnectionStrings__messaging at a running broker.");
            ready = false;
        }

        if (model.Resources.OfType<PostgresServerResource>().Any() && !PostgresCluster.IsInstalled)
        {
            reporter.Error("PostgreSQL is not installed (--postgres needs it). Install it with:");
            reporter.Error("    sudo " + PostgresCluster.InstallCommand);
            ready = false;
        }

        return ready;
    }

    private void Fail()
    {
        ExitCode = 1;
        lifetime.StopApplication();
    }

    private async Task StartResourceAsync(AppResource resource, CancellationToken cancellationToken)
    {
        var context = new ResourceContext(registry, resource.Name);
        if (resource.WaitForResources.Count > 0)
        {
            registry.Update(resource.Name, s => s with { State = ResourceState.Waiting });
            foreach (var dependency in resource.WaitForResources)
            {
                var settled = await registry.WaitForAsync(dependency.Name, s => s.State is ResourceState.Healthy
                    or ResourceState.FailedToStart or ResourceState.Exited or ResourceState.Stopped, cancellationToken).ConfigureAwait(false);
                if (settled.State != ResourceState.Healthy)
                {
                    registry.Update(resource.Name, s => s with
                    {
                        State = ResourceState.FailedToStart,
                        LastError = $"'{dependency.Name}' is {settled.State}",
                    });
                    return;
                }
            }
        }

        registry.Update(resource.Name, s => s with { State = ResourceState.Starting, StartedAt = DateTimeOffset.UtcNow, StoppedAt = null, LastError = null });
        try
        {
            await resource.StartAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            registry.Update(resource.Name, s => s with { State = ResourceState.FailedToStart, LastError = e.Message });
            return;
        }

        registry.Update(resource.Name, s => s with { State = ResourceState.Running });
        if (resource is ProjectResource project)
        {
            _ = WatchExitAsync(project, project.Exited);
        }

        await WaitUntilHealthyAsync(resource, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitUntilHealthyAsync(AppResource resource, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + settings.StartupTimeout;
        string? problem;
        while (true)
        {
            if (registry.GetSnapshot(resource.Name)?.State != ResourceState.Running)
            {
                return; // exited meanwhile; the exit watcher has reported it
            }

            problem = await resource.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            if (problem is null || DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }

        var state = problem is null ? ResourceState.Healthy : ResourceState.Unhealthy;
        var error = problem is null ? null : $"not healthy after {settings.StartupTimeout.TotalSeconds:0} s: {problem}";
        registry.Update(resource.Name, s => s.State == ResourceState.Running
            ? s with { State = state, LastHealthCheckAt = DateTimeOffset.UtcNow, LastError = error }
            : s);
    }

    private async Task WatchExitAsync(ProjectResource project, Task<int> exited)
    {
        var exitCode = await exited.ConfigureAwait(false);
        registry.Update(project.Name, s => s.State is ResourceState.Stopping or ResourceState.Stopped
            ? s
            : s with { State = ResourceState.Exited, ExitCode = exitCode, Pid = null, StoppedAt = DateTimeOffset.UtcNow });
    }

    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(settings.HealthCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var resource in model.Resources)
                {
                    if (registry.GetSnapshot(resource.Name)?.State is not (ResourceState.Healthy or ResourceState.Unhealthy))
                    {
                        continue;
                    }

                    var problem = await resource.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
                    var state = problem is null ? ResourceState.Healthy : ResourceState.Unhealthy;
                    registry.Update(resource.Name, s => s.State is ResourceState.Healthy or ResourceState.Unhealthy
                        ? s with { State = state, LastHealthCheckAt = DateTimeOffset.UtcNow, LastError = problem }
                        : s);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Stops in waves: a resource stops once everything that waits for it has stopped. Services stop together;
    /// the rest one at a time, last added first.</summary>
    private async Task StopAllAsync()
    {
        var remaining = model.Resources.ToList();
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(r => !remaining.Exists(other => other.WaitForResources.Contains(r))).ToList();
            await Task.WhenAll(wave.OfType<ProjectResource>().Select(StopResourceAsync)).ConfigureAwait(false);
            foreach (var resource in wave.Where(r => r is not ProjectResource).Reverse())
            {
                await StopResourceAsync(resource).ConfigureAwait(false);
            }

            remaining.RemoveAll(wave.Contains);
        }
    }

    private async Task StopResourceAsync(AppResource resource)
    {
        // A resource that never got going keeps its state (FailedToStart says more than Stopped); it is still asked to
        // stop, to release whatever a failed start left behind.
        var before = registry.GetSnapshot(resource.Name)?.State;
        var started = before is not (null or ResourceState.NotStarted or ResourceState.Waiting or ResourceState.FailedToStart
            or ResourceState.Stopped);
        if (started)
        {
            registry.Update(resource.Name, s => s with { State = ResourceState.Stopping });
        }

        try
        {
            await resource.StopAsync(new ResourceContext(registry, resource.Name), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            reporter.Error($"stopping {resource.Name}: {e.Message}");
        }

        if (started)
        {
            registry.Update(resource.Name, s => s with { State = ResourceState.Stopped, Pid = null, StoppedAt = DateTimeOffset.UtcNow });
        }
    }
}
