using System.Globalization;
using System.Net.Sockets;
using Confluent.Kafka;
using ECommerce.AppHost.Kafka;

namespace ECommerce.Testing.Infrastructure;

/// <summary>An Apache Kafka node of its own in KRaft combined mode (broker and controller in one JVM): own directory and
/// ports, bound to 127.0.0.1, laid out by <see cref="KafkaNodeLayout"/> exactly as the AppHost lays out its broker. It runs
/// as a child process in a session of its own, and nothing it starts outlives it, even if this process dies without
/// disposing it (an orphan guard then kills the JVM and removes the directory). Alone it is a one-node cluster; several,
/// sharing a cluster id and a voters list, make a <see cref="KafkaCluster"/>.</summary>
public sealed class KafkaNode : IAsyncDisposable
{
    /// <summary>The Debian/Ubuntu command that installs the Java runtime the broker runs on (run it with sudo).</summary>
    public const string JavaInstallCommand = "apt-get install -y openjdk-17-jre-headless";

    /// <summary>Set in the environment of every process of a node (the storage tool, the broker), to the node's directory:
    /// what finds them when nothing else would.</summary>
    public const string MarkerVariable = "ECOMMERCE_KAFKA_NODE";

    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(3);

    private readonly KafkaNodeOptions options;
    private readonly KafkaNodeLayout layout;
    private readonly string kafkaHome;
    private readonly OutputTail tail = new(200);
    private readonly Dictionary<string, string?> environment;
    private readonly OrphanGuard guard;
    private readonly Action<string>? onOutput;
    // Never disposed: without its wait handle a SemaphoreSlim holds nothing to release, and DisposeAsync stays repeatable.
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private ChildProcess? server;
    private bool disposed;

    private KafkaNode(KafkaNodeOptions options, KafkaNodeLayout layout, string clusterId, string kafkaHome, OrphanGuard guard,
        Action<string>? onOutput)
    {
        this.options = options;
        this.layout = layout;
        this.kafkaHome = kafkaHome;
        this.guard = guard;
        this.onOutput = onOutput;
        ClusterId = clusterId;
        environment = new Dictionary<string, string?>(StringComparer.Ordinal) { [MarkerVariable] = layout.Directory };
    }

    /// <summary>The node's id in its cluster (1 for a node alone).</summary>
    public int NodeId => layout.NodeId;

    /// <summary>The id its storage was formatted with; the same on every node of a cluster.</summary>
    public string ClusterId { get; }

    /// <summary>The node's own directory (configuration, log segments in <c>data/</c>); removed when the node is stopped.</summary>
    public string RootDirectory => layout.Directory;

    public string DataDirectory => layout.DataDirectory;

    /// <summary>The client (PLAINTEXT) listener on 127.0.0.1.</summary>
    public int Port => layout.Port;

    /// <summary>The KRaft controller listener on 127.0.0.1.</summary>
    public int ControllerPort => layout.ControllerPort;

    /// <summary><c>127.0.0.1:port</c>, what a client's <c>bootstrap.servers</c> takes.</summary>
    public string BootstrapServer => layout.BootstrapServer;

    /// <summary>The distribution the node runs from.</summary>
    public string KafkaHomeDirectory => kafkaHome;

    /// <summary>The pid of the broker's JVM; 0 while it is not running.</summary>
    public int Pid { get; private set; }

    /// <summary>True between a successful start and a stop or kill.</summary>
    public bool IsRunning => server is { HasExited: false };

    /// <summary>True when <c>java</c> is on the PATH.</summary>
    public static bool IsJavaInstalled => FindOnPath("java") is not null;

    /// <summary>Creates, formats and starts a one-node cluster; completes when its port accepts connections and it answers a
    /// metadata request that lists it as a broker.</summary>
    /// <exception cref="InfrastructureNotInstalledException">Java is not installed.</exception>
    /// <exception cref="InvalidOperationException">No Kafka distribution was found (the message says how to provide one).</exception>
    /// <exception cref="InfrastructureStartException">The node did not come up in time.</exception>
    public static async Task<KafkaNode> StartAsync(KafkaNodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KafkaNodeOptions();
        var kafkaHome = Prerequisites(options);
        var controllerPort = FreePort.Next();
        var node = Create(options, kafkaHome, KafkaNodeLayout.NewClusterId(),
            "kafka-" + Guid.NewGuid().ToString("N")[..12], 1, FreePort.Next(), controllerPort, [(1, controllerPort)], options.OnOutput);
        try
        {
            await node.StartAgainAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the broker's JVM with SIGKILL, as a crash would; its directory (and every record it acknowledged)
    /// stays, so <see cref="StartAgainAsync"/> can bring it back.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (server is null)
            {
                return;
            }

            var jvm = Pid;
            if (!server.HasExited)
            {
                ProcessSignals.Kill(jvm != 0 ? jvm : server.Pid);
            }

            if (!await server.WaitForExitAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                await server.KillTreeAsync(cancellationToken).ConfigureAwait(false);
            }

            RemovePerfData(jvm);
            ReleaseServer();
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the broker gracefully (SIGTERM: controlled shutdown) but keeps its data; see <see cref="StartAgainAsync"/>.</summary>
    public async Task StopTemporarilyAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            await StopServerAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Starts the broker (again) on the same ports with the same data, after <see cref="KillAsync"/> or
    /// <see cref="StopTemporarilyAsync"/>; does nothing while it runs. Completes when it is ready, as a start does.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!IsRunning)
            {
                ReleaseServer();
                await StartServerAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the broker gracefully if it runs and starts it again with the same ports and data.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            await StopServerAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false);
            await StartServerAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the broker (SIGTERM, then waits for its controlled shutdown; SIGKILL after
    /// <see cref="KafkaNodeOptions.StopTimeout"/>), makes sure none of its processes is left and removes its directory.
    /// Idempotent.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => StopAsync(options.StopTimeout, cancellationToken);

    /// <summary><see cref="StopAsync(CancellationToken)"/> with a grace of its own for the SIGTERM.</summary>
    internal async Task StopAsync(TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (disposed)
            {
                return;
            }

            await StopServerAsync(stopTimeout, cancellationToken).ConfigureAwait(false);
            await KillStragglersAsync(cancellationToken).ConfigureAwait(false);
            if (Directory.Exists(RootDirectory))
            {
                Directory.Delete(RootDirectory, recursive: true);
            }

            disposed = true;
            guard.Dispose();
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>The same as <see cref="StopAsync"/>; safe to call more than once.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Kafka node {NodeId} ({BootstrapServer}, pid {Pid})");

    /// <summary>Checks what every node needs (Java, a distribution) and returns the distribution's folder.</summary>
    internal static string Prerequisites(KafkaNodeOptions options)
    {
        if (!IsJavaInstalled)
        {
            throw new InfrastructureNotInstalledException("Java (for Apache Kafka)", "java on the PATH", JavaInstallCommand);
        }

        return ECommerce.AppHost.Kafka.KafkaHome.Resolve(options.KafkaHome);
    }

    /// <summary>A node that is not started yet: <see cref="StartAgainAsync"/> formats its storage and starts it.</summary>
    internal static KafkaNode Create(KafkaNodeOptions options, string kafkaHome, string clusterId, string directoryName, int nodeId,
        int port, int controllerPort, IReadOnlyList<(int Id, int ControllerPort)> voters, Action<string>? onOutput)
    {
        var directory = Path.Combine(options.ParentDirectory ?? Path.GetTempPath(), directoryName);
        var guard = OrphanGuard.Start();
        var node = new KafkaNode(options, new KafkaNodeLayout(directory, nodeId, port, controllerPort, voters), clusterId, kafkaHome,
            guard, onOutput);
        node.ArmGuard();
        return node;
    }

    /// <summary>An admin client on <paramref name="bootstrapServers"/> whose librdkafka log stays off stderr (a broker
    /// being killed or started makes it complain about refused connections, as it should).</summary>
    internal static IAdminClient CreateAdminClient(string bootstrapServers) =>
        new AdminClientBuilder(new AdminClientConfig
            {
                BootstrapServers = bootstrapServers,
                BrokerAddressFamily = BrokerAddressFamily.V4,
                SocketTimeoutMs = 5000,
                ReconnectBackoffMs = 100,
                ReconnectBackoffMaxMs = 1000,
            })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Combine(directory, program))
        .FirstOrDefault(path => File.Exists(path)
                                && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

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

    /// <summary>The JVM writes its performance counters to <c>/tmp/hsperfdata_&lt;user&gt;/&lt;pid&gt;</c> and removes them
    /// when it exits, but not when it is killed.</summary>
    private static void RemovePerfData(int pid)
    {
        if (pid == 0)
        {
            return;
        }

        try
        {
            File.Delete(Path.Combine("/tmp", "hsperfdata_" + Environment.UserName, pid.ToString(CultureInfo.InvariantCulture)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to remove, or already gone; the next JVM on the machine cleans it up anyway.
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + options.StartTimeout;
        // Every start: a changed property applies, and the files are there again should the directory have been removed.
        await layout.WriteConfigurationAsync(options.ServerProperties, cancellationToken).ConfigureAwait(false);
        if (!layout.IsFormatted)
        {
            await FormatAsync(cancellationToken).ConfigureAwait(false);
        }

        server = ChildProcess.Start("java", layout.RunArguments(kafkaHome), ServiceAccount.CurrentUser, environment, RootDirectory, OnOutput);
        // setsid (a new session, so a Ctrl+C at the terminal does not reach the broker) execs java in place: the child is the
        // JVM itself, once the exec is done.
        Pid = server.Pid;
        ArmGuard();
        try
        {
            await WaitUntilReadyAsync(server, deadline, cancellationToken).ConfigureAwait(false);
            if (ProcessTree.CommandName(server.Pid) != "java")
            {
                Pid = ProcessTree.DescendantsOf(server.Pid).FirstOrDefault(pid => ProcessTree.CommandName(pid) == "java") is var jvm and not 0
                    ? jvm
                    : throw new InfrastructureStartException($"Kafka node {NodeId} is ready, but no java process runs below pid {server.Pid}.");
                ArmGuard();
            }
        }
        catch
        {
            await server.KillTreeAsync(CancellationToken.None).ConfigureAwait(false);
            RemovePerfData(server.Pid);
            ReleaseServer();
            throw;
        }
    }

    private async Task FormatAsync(CancellationToken cancellationToken)
    {
        string output;
        try
        {
            output = await CommandRunner.RunAsync("java", layout.FormatArguments(kafkaHome, ClusterId), ServiceAccount.CurrentUser,
                environment, RootDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new InfrastructureStartException($"Kafka node {NodeId} in {RootDirectory}: formatting its storage failed: {e.Message}", e);
        }

        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            OnOutput(line, isError: false);
        }
    }

    /// <summary>Ready is: the client port accepts connections (the broker opens it once it can serve metadata), and a
    /// metadata request sent to this node answers and lists it among the brokers (it registered with the controller
    /// quorum and is not fenced).</summary>
    private async Task WaitUntilReadyAsync(ChildProcess process, DateTime deadline, CancellationToken cancellationToken)
    {
        try
        {
            await Poll.UntilAsync(async token => await AcceptsConnectionsAsync(Port, token).ConfigureAwait(false) || Exited(),
                Remaining(), $"Kafka node {NodeId} to accept connections on port {Port}", cancellationToken).ConfigureAwait(false);
            await Poll.UntilAsync(async token => await AnswersMetadataAsync(token).ConfigureAwait(false) || Exited(),
                Remaining(), $"Kafka node {NodeId} to answer a metadata request listing itself", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InfrastructureStartException)
        {
            throw new InfrastructureStartException(
                $"Kafka node {NodeId} in {RootDirectory} did not start: {e.Message}{Environment.NewLine}Last output:{Environment.NewLine}{tail}", e);
        }

        bool Exited() => process.HasExited
            ? throw new InfrastructureStartException(string.Create(CultureInfo.InvariantCulture,
                $"its JVM exited with code {process.ExitCode}."))
            : false;

        TimeSpan Remaining()
        {
            var left = deadline - DateTime.UtcNow;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    private async Task<bool> AnswersMetadataAsync(CancellationToken cancellationToken)
    {
        // A new client each time: its first request goes to the one broker it knows, this node, where a client that has
        // learnt the cluster would ask any broker.
        return await Task.Run(() =>
        {
            using var admin = CreateAdminClient(BootstrapServer);
            try
            {
                var metadata = admin.GetMetadata(MetadataTimeout);
                return metadata.OriginatingBrokerId == NodeId && metadata.Brokers.Exists(b => b.BrokerId == NodeId);
            }
            catch (KafkaException)
            {
                return false;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopServerAsync(TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return;
        }

        var jvm = Pid;
        if (!server.HasExited)
        {
            ProcessSignals.Terminate(jvm != 0 ? jvm : server.Pid);
            if (!await server.WaitForExitAsync(stopTimeout, cancellationToken).ConfigureAwait(false))
            {
                OnOutput($"Kafka node {NodeId} did not stop within {stopTimeout.TotalSeconds:0} s of SIGTERM; killing it.", isError: true);
                await server.KillTreeAsync(cancellationToken).ConfigureAwait(false);
                RemovePerfData(jvm);
            }
        }

        ReleaseServer();
    }

    private void ReleaseServer()
    {
        server?.Dispose();
        server = null;
        Pid = 0;
        ArmGuard();
    }

    /// <summary>Kills whatever still carries this node's marker in its environment (a storage tool whose wait was
    /// cancelled, say).</summary>
    private async Task KillStragglersAsync(CancellationToken cancellationToken)
    {
        var stragglers = ProcessTree.FindByEnvironment(MarkerVariable, RootDirectory);
        foreach (var pid in stragglers)
        {
            ProcessSignals.Kill(pid);
        }

        await Poll.UntilAsync(() => !stragglers.Any(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
            $"the leftover processes of Kafka node {NodeId} to die", cancellationToken).ConfigureAwait(false);
        foreach (var pid in stragglers)
        {
            RemovePerfData(pid);
        }
    }

    private void ArmGuard()
    {
        // The JVM first; then anything else with the node's marker in its environment (what KillStragglersAsync does, in
        // shell), the performance counters of whatever was killed, and the directory.
        var pids = new[] { server?.Pid ?? 0, Pid }.Where(pid => pid != 0).Distinct()
            .Select(pid => pid.ToString(CultureInfo.InvariantCulture)).ToList();
        var kill = pids.Count == 0 ? string.Empty : $"kill -9 {string.Join(' ', pids)}; ";
        // -z -x: an environment is NUL-separated entries, and only the whole entry matches (not the node dir-10 for dir-1).
        var sweep = "k=; for f in $(grep -l -a -z -x -F " + OrphanGuard.Quote(MarkerVariable + "=" + RootDirectory)
            + " /proc/[0-9]*/environ 2>/dev/null); do p=${f#/proc/}; p=${p%/environ}; kill -9 $p; k=\"$k $p\"; done; sleep 1; "
            + "for p in " + string.Join(' ', pids) + " $k; do rm -f /tmp/hsperfdata_*/$p; done; ";
        guard.Arm(kill + sweep + "rm -rf " + OrphanGuard.Quote(RootDirectory));
    }

    private void OnOutput(string line, bool isError)
    {
        tail.Add(line);
        onOutput?.Invoke(line);
    }
}
