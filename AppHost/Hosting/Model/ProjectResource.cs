using System.Globalization;
using ECommerce.AppHost.Infrastructure;

namespace ECommerce.AppHost.Hosting.Model;

/// <summary>A service: its built assembly run with <c>dotnet</c> as a child process listening on one HTTP port.</summary>
public sealed class ProjectResource : AppResource
{
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(15);
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Dictionary<string, string?> environment = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<string?>> deferredEnvironment = new(StringComparer.Ordinal);
    private readonly List<IResourceWithConnectionString> references = [];
    private ChildProcess? process;
    private OrphanGuard? guard;

    internal ProjectResource(string name, ServiceProject project, int httpPort)
        : base(name)
    {
        Project = project;
        HttpPort = httpPort;
    }

    public override string ResourceType => "Project";

    public ServiceProject Project { get; }

    public int HttpPort { get; }

    public Uri HttpUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HttpPort}/"));

    /// <summary>The path probed by the health check; null for none (then running counts as healthy).</summary>
    public string? HealthCheckPath { get; private set; }

    internal override IReadOnlyList<string> ReferenceNames => references.Select(r => r.Name).ToList();

    /// <summary>Passes the resource's connection string as <c>ConnectionStrings__{name}</c>.</summary>
    public ProjectResource WithReference(IResourceWithConnectionString resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        references.Add(resource);
        return this;
    }

    /// <summary>Sets a variable of the service's environment; null removes one it would inherit from the AppHost.</summary>
    public ProjectResource WithEnvironment(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        environment[name] = value;
        return this;
    }

    /// <summary>Sets a variable from a value known only once the resources it waits for are up (an endpoint of the broker,
    /// say); evaluated when the service starts. Null removes the variable.</summary>
    public ProjectResource WithEnvironment(string name, Func<string?> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        deferredEnvironment[name] = value;
        return this;
    }

    /// <summary>The service counts as healthy when GET <paramref name="path"/> answers 200.</summary>
    public ProjectResource WithHttpHealthCheck(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        HealthCheckPath = path;
        return this;
    }

    /// <summary>The environment the process gets on top of the AppHost's: the configured variables, the URL to listen on
    /// and the connection strings of its references.</summary>
    internal IReadOnlyDictionary<string, string?> BuildEnvironment()
    {
        var result = new Dictionary<string, string?>(environment, StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = HttpUrl.ToString().TrimEnd('/'),
        };
        foreach (var (name, value) in deferredEnvironment)
        {
            result[name] = value();
        }

        foreach (var reference in references)
        {
            result["ConnectionStrings__" + reference.ConnectionName] = reference.ConnectionString
                ?? throw new InvalidOperationException($"'{reference.Name}' has no connection string yet; '{Name}' must wait for it.");
        }

        return result;
    }

    internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (!File.Exists(Project.AssemblyPath))
        {
            throw new InvalidOperationException(
                $"{Project.AssemblyPath} does not exist: build the AppHost (dotnet build AppHost), which builds the services.");
        }

        if (!FreePort.IsFree(HttpPort))
        {
            throw new InvalidOperationException(
                $"Port {HttpPort} is in use: is another AppHost running? Move every port with --port-offset.");
        }

        var variables = BuildEnvironment();
        guard ??= OrphanGuard.Start();
        process = ChildProcess.Start(DotNetHost.Path, [Project.AssemblyPath], ServiceAccount.CurrentUser, variables,
            Project.ProjectDirectory, (line, isError) => context.Log(line, isError));
        guard.Arm(string.Create(CultureInfo.InvariantCulture, $"kill -9 {process.Pid}"));
        var pid = process.Pid;
        context.Update(s => s with
        {
            Pid = pid,
            ExitCode = null,
            Environment = variables,
            Endpoints = [new ResourceEndpoint("http", HttpUrl)],
            HealthCheck = HealthCheckPath is null ? null : new Uri(HttpUrl, HealthCheckPath).ToString(),
        });
        return Task.CompletedTask;
    }

    internal override async Task<string?> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (process is not { HasExited: false })
        {
            return "the process is not running";
        }

        if (HealthCheckPath is null)
        {
            return null;
        }

        try
        {
            using var response = await HealthClient.GetAsync(new Uri(HttpUrl, HealthCheckPath), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"GET {HealthCheckPath}: {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException e)
        {
            return $"GET {HealthCheckPath}: {e.Message}";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"GET {HealthCheckPath}: no answer within {HealthClient.Timeout.TotalSeconds:0} s";
        }
    }

    /// <summary>Completes with the exit code when the process of the current start ends, whoever ended it.</summary>
    internal Task<int> Exited => process?.Exited ?? throw new InvalidOperationException($"'{Name}' has not been started.");

    /// <summary>SIGTERM (ASP.NET Core's graceful shutdown), then SIGKILL for whatever is left after a grace period.</summary>
    internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            ProcessSignals.Terminate(process.Pid);
            if (!await process.WaitForExitAsync(GracefulStopTimeout, cancellationToken).ConfigureAwait(false))
            {
                context.Log($"did not stop within {GracefulStopTimeout.TotalSeconds:0} s of SIGTERM; killing it", isErrorStream: true);
                await process.KillTreeAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var exitCode = process.ExitCode;
        context.Update(s => s with { ExitCode = exitCode });
        process.Dispose();
        process = null;
        guard?.Dispose();
        guard = null;
    }
}
