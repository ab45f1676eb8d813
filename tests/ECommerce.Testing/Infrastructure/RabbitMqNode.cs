using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ECommerce.Testing.Infrastructure;

/// <summary>A RabbitMQ node of its own: own directory, node name, ports and Erlang port mapper, bound to 127.0.0.1, with
/// the consistent-hash exchange, stream and management plugins. Nothing it starts outlives it, even if this process dies
/// without disposing it (an orphan guard then kills the node and removes its directory).</summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    public const string DefaultBinDirectory = "/usr/lib/rabbitmq/bin";

    /// <summary>The Debian/Ubuntu command that installs RabbitMQ (run it with sudo).</summary>
    public const string InstallCommand = "apt-get install -y rabbitmq-server";

    private const string Plugins = "[rabbitmq_consistent_hash_exchange,rabbitmq_stream,rabbitmq_management].";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly RabbitMqNodeOptions options;
    private readonly ServiceAccount account = ServiceAccount.For("rabbitmq");
    private readonly OutputTail tail = new(200);
    private readonly Dictionary<string, string?> environment;
    private readonly OrphanGuard guard;
    private readonly HttpClient management;
    // Never disposed: without its wait handle a SemaphoreSlim holds nothing to release, and DisposeAsync stays repeatable.
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private ChildProcess? epmd;
    private ChildProcess? server;
    private bool disposed;

    private RabbitMqNode(RabbitMqNodeOptions options, string nodeName, string directory, OrphanGuard guard)
    {
        this.options = options;
        this.guard = guard;
        NodeName = nodeName;
        RootDirectory = directory;
        AmqpPort = FreePort.Next();
        DistributionPort = FreePort.Next();
        ManagementPort = FreePort.Next();
        StreamPort = FreePort.Next();
        EpmdPort = options.SharedEpmdPort ?? FreePort.Next();
        environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // The CLI tools find the Erlang cookie in $HOME; the node's own directory holds it.
            ["HOME"] = directory,
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Invariant(AmqpPort),
            ["RABBITMQ_DIST_PORT"] = Invariant(DistributionPort),
            ["ERL_EPMD_PORT"] = Invariant(EpmdPort),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_LOGS"] = "-",
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf"),
            // Keep the machine-wide files in /etc/rabbitmq out: these two do not exist.
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(directory, "rabbitmq-env.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            // The port mapper started below must stay the only one. Any Erlang VM of this node (the broker, the CLI, the helper
            // the broker's epmd monitor runs every minute) would otherwise start a daemon of its own whenever it finds none, and
            // one that catches the moment between the broker's exit and the port mapper's leaves a daemon nobody owns.
            ["ERL_FLAGS"] = "-start_epmd false",
        };
        management = new HttpClient { BaseAddress = ManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
    }

    /// <summary>True when the rabbitmq-server script is where the Debian package puts it.</summary>
    public static bool IsInstalled => IsInstalledIn(DefaultBinDirectory);

    /// <summary>The full Erlang node name, e.g. <c>ecommerce-1a2b3c4d@localhost</c>.</summary>
    public string NodeName { get; }

    /// <summary>The node's own directory (database, logs, configuration); removed when the node is stopped.</summary>
    public string RootDirectory { get; }

    public int AmqpPort { get; }

    public int DistributionPort { get; }

    public int ManagementPort { get; }

    public int StreamPort { get; }

    /// <summary>The port of the node's Erlang port mapper daemon (epmd): its own, so no machine-wide one is left running, or
    /// the one a cluster's first node runs (<see cref="RabbitMqNodeOptions.SharedEpmdPort"/>).</summary>
    public int EpmdPort { get; }

    /// <summary>The default virtual host as guest, e.g. <c>amqp://guest:guest@127.0.0.1:20001/</c>.</summary>
    public Uri AmqpUri => new(string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{AmqpPort}/"));

    public Uri ManagementUri => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ManagementPort}/"));

    /// <summary>The pid of the Erlang VM (beam.smp) that is the broker; 0 while it is not running.</summary>
    public int Pid { get; private set; }

    /// <summary>The pid of the node's Erlang port mapper daemon.</summary>
    public int EpmdPid => epmd?.Pid ?? 0;

    /// <summary>True between a successful start and a stop or kill.</summary>
    public bool IsRunning => server is { HasExited: false };

    public static bool IsInstalledIn(string binDirectory) =>
        File.Exists(Path.Combine(binDirectory, "rabbitmq-server")) && File.Exists(Path.Combine(binDirectory, "rabbitmqctl"));

    /// <summary>Creates and starts a node; completes when its AMQP, management and stream listeners accept connections.</summary>
    /// <exception cref="InfrastructureNotInstalledException">RabbitMQ is not installed.</exception>
    /// <exception cref="InfrastructureStartException">The node did not come up in time.</exception>
    public static async Task<RabbitMqNode> StartAsync(RabbitMqNodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RabbitMqNodeOptions();
        if (!IsInstalledIn(options.BinDirectory))
        {
            throw new InfrastructureNotInstalledException("RabbitMQ", Path.Combine(options.BinDirectory, "rabbitmq-server"), InstallCommand);
        }

        var shortName = options.NodeName ?? "ecommerce-" + Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(options.ParentDirectory ?? Path.GetTempPath(), "rabbitmq-" + shortName);
        var guard = OrphanGuard.Start();
        guard.Arm("rm -rf " + OrphanGuard.Quote(directory));
        var node = new RabbitMqNode(options, shortName + "@localhost", directory, guard);
        try
        {
            await node.CreateDirectoryAsync(cancellationToken).ConfigureAwait(false);
            await node.StartProcessesAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a virtual host (if missing) with full permissions for guest, and returns its AMQP URI. Lets each
    /// test class work on the shared node without seeing another's queues.</summary>
    public async Task<Uri> CreateVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var escaped = Uri.EscapeDataString(name);
        using (var response = await management.PutAsync(new Uri("api/vhosts/" + escaped, UriKind.Relative), null, cancellationToken)
                   .ConfigureAwait(false))
        {
            await EnsureSuccessAsync(response, "create virtual host " + name, cancellationToken).ConfigureAwait(false);
        }

        var permissions = JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" });
        using (var response = await management.PutAsync(new Uri($"api/permissions/{escaped}/guest", UriKind.Relative), permissions,
                   cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(response, "grant guest access to virtual host " + name, cancellationToken).ConfigureAwait(false);
        }

        return new Uri(AmqpUri, escaped);
    }

    /// <summary>Deletes a virtual host and everything in it.</summary>
    public async Task DeleteVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var response = await management.DeleteAsync(new Uri("api/vhosts/" + Uri.EscapeDataString(name), UriKind.Relative),
            cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "delete virtual host " + name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes this (fresh) node a member of the cluster <paramref name="clusterNodeName"/> belongs to: the node's
    /// application stops, joins, and starts again with the cluster's metadata; completes when it accepts AMQP again.</summary>
    public async Task JoinClusterAsync(string clusterNodeName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterNodeName);
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (server is null)
            {
                throw new InvalidOperationException($"RabbitMQ node {NodeName} is not running.");
            }

            foreach (var arguments in new[] { new[] { "stop_app" }, ["join_cluster", clusterNodeName], ["start_app"] })
            {
                await CommandRunner.RunAsync(Path.Combine(options.BinDirectory, "rabbitmqctl"), ["-n", NodeName, .. arguments], account,
                    environment, RootDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await WaitForPortAsync(AmqpPort, server, "the AMQP listener", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>A GET on the node's management API as guest (e.g. <c>api/queues/%2F/orders</c>, columns allowed); null when
    /// the API does not answer with success (a queue not yet declared, a leader election in progress).</summary>
    public async Task<JsonElement?> TryGetManagementAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        using var response = await management.GetAsync(new Uri(relativePath, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>The names of the cluster's nodes that run, as this node sees them (itself alone when not clustered).</summary>
    public async Task<IReadOnlyList<string>> RunningClusterNodesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await management.GetAsync(new Uri("api/nodes?columns=name,running", UriKind.Relative), cancellationToken)
            .ConfigureAwait(false);
        await EnsureSuccessAsync(response, "list the cluster's nodes", cancellationToken).ConfigureAwait(false);
        var nodes = await response.Content.ReadFromJsonAsync<List<NodeStatus>>(cancellationToken).ConfigureAwait(false) ?? [];
        return nodes.Where(n => n.Running).Select(n => n.Name).ToList();
    }

    /// <summary>Kills the broker VM with SIGKILL, as a crash would; its directory (and durable data) stays, so
    /// <see cref="RestartAsync"/> can bring it back.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (server is null)
            {
                return;
            }

            // Only the VM, as when it crashes; the wrapper script then exits by itself, as do the VM's helpers.
            var processes = ProcessTree.DescendantsOf(server.Pid);
            if (!server.HasExited && Pid != 0)
            {
                ProcessSignals.Kill(Pid);
            }

            if (!await server.WaitForExitAsync(StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                await server.KillTreeAsync(cancellationToken).ConfigureAwait(false);
            }

            await Poll.UntilAsync(() => !processes.Any(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
                $"the processes of RabbitMQ node {NodeName} to die", cancellationToken).ConfigureAwait(false);
            ReleaseServer();
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the broker gracefully if it runs and starts it again with the same name, ports and data, as after a
    /// broker restart (durable queues and their persistent messages survive).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            await StopServerAsync(cancellationToken).ConfigureAwait(false);
            await StartProcessesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the node gracefully (<c>rabbitmqctl stop</c>), makes sure its VM and port mapper are gone and
    /// removes its directory. Idempotent.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (disposed)
            {
                return;
            }

            await StopServerAsync(cancellationToken).ConfigureAwait(false);
            if (epmd is not null)
            {
                await epmd.KillTreeAsync(cancellationToken).ConfigureAwait(false);
                epmd.Dispose();
                epmd = null;
            }

            await KillStragglersAsync(cancellationToken).ConfigureAwait(false);

            if (Directory.Exists(RootDirectory))
            {
                Directory.Delete(RootDirectory, recursive: true);
            }

            disposed = true;
            guard.Dispose();
            management.Dispose();
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>The same as <see cref="StopAsync"/>; safe to call more than once.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"Could not {what}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task CreateDirectoryAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(RootDirectory))
        {
            Directory.Delete(RootDirectory, recursive: true);
        }

        Directory.CreateDirectory(RootDirectory);
        var configuration = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"listeners.tcp.1 = 127.0.0.1:{AmqpPort}")
            .AppendLine("management.tcp.ip = 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"management.tcp.port = {ManagementPort}")
            // The node's start-up and shutdown narrate hundreds of info lines; on the console only what needs attention shows.
            .AppendLine("log.console.level = warning")
            // Queue depths and consumer counts (consumer lag) refresh every second instead of every five.
            .AppendLine("collect_statistics_interval = 1000")
            .AppendLine(CultureInfo.InvariantCulture, $"stream.listeners.tcp.1 = 127.0.0.1:{StreamPort}")
            .AppendLine("stream.advertised_host = 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"stream.advertised_port = {StreamPort}")
            .ToString();
        await File.WriteAllTextAsync(Path.Combine(RootDirectory, "rabbitmq.conf"), configuration, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(RootDirectory, "enabled_plugins"), Plugins + "\n", cancellationToken).ConfigureAwait(false);

        // A cookie of its own, so no other node or CLI on the machine can talk to this one by accident.
        var cookiePath = Path.Combine(RootDirectory, ".erlang.cookie");
        await File.WriteAllTextAsync(cookiePath, options.Cookie ?? Guid.NewGuid().ToString("N").ToUpperInvariant(), cancellationToken)
            .ConfigureAwait(false);
        await account.TakeOwnershipAsync(RootDirectory, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(cookiePath, UnixFileMode.UserRead);
    }

    private async Task StartProcessesAsync(CancellationToken cancellationToken)
    {
        // The node would start a port mapper itself, but as a daemon nobody owns that outlives the node. Started here in the
        // foreground, it is a child that is stopped with the node.
        if (options.SharedEpmdPort is null && (epmd is null || epmd.HasExited))
        {
            epmd?.Dispose();
            epmd = ChildProcess.Start("epmd", ["-port", Invariant(EpmdPort), "-address", "127.0.0.1"], account, environment,
                RootDirectory, OnOutput);
            await WaitForPortAsync(EpmdPort, epmd, "the Erlang port mapper", cancellationToken).ConfigureAwait(false);
        }

        server = ChildProcess.Start(Path.Combine(options.BinDirectory, "rabbitmq-server"), [], account, environment, RootDirectory, OnOutput);
        ArmGuard();
        try
        {
            foreach (var (port, what) in new[] { (AmqpPort, "AMQP"), (ManagementPort, "management"), (StreamPort, "stream") })
            {
                await WaitForPortAsync(port, server, $"the {what} listener", cancellationToken).ConfigureAwait(false);
            }

            Pid = ProcessTree.DescendantsOf(server.Pid).FirstOrDefault(pid => ProcessTree.CommandName(pid) == "beam.smp");
            ArmGuard();
        }
        catch
        {
            await server.KillTreeAsync(CancellationToken.None).ConfigureAwait(false);
            ReleaseServer();
            throw;
        }
    }

    private async Task WaitForPortAsync(int port, ChildProcess process, string what, CancellationToken cancellationToken)
    {
        try
        {
            await Poll.UntilAsync(
                async token => process.HasExited
                    ? throw new InfrastructureStartException($"RabbitMQ node {NodeName}: {what} exited with code {process.ExitCode}.")
                    : await AcceptsConnectionsAsync(port, token).ConfigureAwait(false),
                options.StartTimeout, $"{what} of RabbitMQ node {NodeName} on port {port}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InfrastructureStartException)
        {
            throw new InfrastructureStartException(
                $"RabbitMQ node {NodeName} did not start: {e.Message}{Environment.NewLine}Last output:{Environment.NewLine}{tail}", e);
        }
    }

    private async Task StopServerAsync(CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return;
        }

        // Read before stopping: once the VM is gone its helper processes (erl_child_setup, inet_gethost) are re-parented.
        var processes = ProcessTree.DescendantsOf(server.Pid).Append(server.Pid).ToList();
        if (!server.HasExited)
        {
            await CommandRunner.RunAsync(Path.Combine(options.BinDirectory, "rabbitmqctl"), ["-n", NodeName, "stop"], account,
                environment, RootDirectory, throwOnFailure: false, cancellationToken).ConfigureAwait(false);
            if (!await server.WaitForExitAsync(StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                await server.KillTreeAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // The helpers follow the VM by themselves, within moments.
        await Poll.UntilAsync(() => !processes.Exists(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
            $"the processes of RabbitMQ node {NodeName} to exit", cancellationToken).ConfigureAwait(false);
        ReleaseServer();
    }

    private void ReleaseServer()
    {
        server?.Dispose();
        server = null;
        Pid = 0;
        ArmGuard();
    }

    /// <summary>Kills whatever still carries this node's name in its environment: every process of the node inherits it,
    /// so this finds helpers that were re-parented when the broker exited, which a process tree no longer shows.</summary>
    private async Task KillStragglersAsync(CancellationToken cancellationToken)
    {
        var stragglers = ProcessTree.FindByEnvironment("RABBITMQ_NODENAME", NodeName);
        foreach (var pid in stragglers)
        {
            ProcessSignals.Kill(pid);
        }

        await Poll.UntilAsync(() => !stragglers.Any(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
            $"the leftover processes of RabbitMQ node {NodeName} to die", cancellationToken).ConfigureAwait(false);
    }

    private void ArmGuard()
    {
        // Known pids first; then, after a moment for the broker's helpers to notice, everything with the node's name in its
        // environment (what KillStragglersAsync does, in shell).
        var pids = new[] { server?.Pid ?? 0, Pid, epmd?.Pid ?? 0 }.Where(pid => pid != 0)
            .Select(pid => pid.ToString(CultureInfo.InvariantCulture)).ToList();
        var kill = pids.Count == 0 ? string.Empty : $"kill -9 {string.Join(' ', pids)}; sleep 1; ";
        var sweep = "for f in $(grep -l -a -F " + OrphanGuard.Quote("RABBITMQ_NODENAME=" + NodeName)
            + " /proc/[0-9]*/environ 2>/dev/null); do p=${f#/proc/}; kill -9 ${p%/environ}; done; ";
        guard.Arm(kill + sweep + "rm -rf " + OrphanGuard.Quote(RootDirectory));
    }

    private sealed record NodeStatus(string Name, bool Running);

    private void OnOutput(string line, bool isError)
    {
        tail.Add(line);
        options.OnOutput?.Invoke(line);
    }
}
