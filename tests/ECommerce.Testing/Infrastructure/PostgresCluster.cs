using System.Globalization;
using System.Text.RegularExpressions;

namespace ECommerce.Testing.Infrastructure;

/// <summary>A PostgreSQL cluster of its own: own directory, port and socket directory, listening on 127.0.0.1 only, trusting
/// local connections as <c>postgres</c>. The server runs in the foreground as a child of this process (not daemonised by
/// pg_ctl), so its output is captured and it cannot outlive its owner: an orphan guard kills it and removes its directory
/// if this process dies without disposing it.</summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    /// <summary>The Debian/Ubuntu command that installs PostgreSQL (run it with sudo).</summary>
    public const string InstallCommand = "apt-get install -y postgresql";

    private const string DefaultInstallRoot = "/usr/lib/postgresql";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly PostgresClusterOptions options;
    private readonly string binDirectory;
    private readonly ServiceAccount account = ServiceAccount.For("postgres");
    private readonly OutputTail tail = new(200);
    private readonly OrphanGuard guard;
    // Never disposed: without its wait handle a SemaphoreSlim holds nothing to release, and DisposeAsync stays repeatable.
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private ChildProcess? server;
    private bool disposed;

    private PostgresCluster(PostgresClusterOptions options, string binDirectory, string directory, OrphanGuard guard)
    {
        this.options = options;
        this.binDirectory = binDirectory;
        this.guard = guard;
        RootDirectory = directory;
        Port = FreePort.Next();
    }

    /// <summary>True when a PostgreSQL server is installed where the Debian packages put it.</summary>
    public static bool IsInstalled => FindBinDirectory() is not null;

    /// <summary>The cluster's own directory (data directory, socket); removed when the cluster is stopped.</summary>
    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public int Port { get; }

    /// <summary>The pid of the postmaster; 0 while it is not running.</summary>
    public int Pid => server is { HasExited: false } running ? running.Pid : 0;

    public bool IsRunning => server is { HasExited: false };

    /// <summary>Creates (initdb) and starts a cluster; completes when it accepts connections.</summary>
    /// <exception cref="InfrastructureNotInstalledException">PostgreSQL is not installed.</exception>
    /// <exception cref="InfrastructureStartException">The server did not come up in time.</exception>
    public static async Task<PostgresCluster> StartAsync(PostgresClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresClusterOptions();
        var binDirectory = options.BinDirectory ?? FindBinDirectory();
        if (binDirectory is null || !File.Exists(Path.Combine(binDirectory, "postgres")))
        {
            throw new InfrastructureNotInstalledException("PostgreSQL",
                Path.Combine(binDirectory ?? DefaultInstallRoot + "/<version>/bin", "postgres"), InstallCommand);
        }

        var directory = Path.Combine(options.ParentDirectory ?? Path.GetTempPath(), "postgres-" + Guid.NewGuid().ToString("N")[..12]);
        var guard = OrphanGuard.Start();
        guard.Arm("rm -rf " + OrphanGuard.Quote(directory));
        var cluster = new PostgresCluster(options, binDirectory, directory, guard);
        try
        {
            await cluster.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}");

    /// <summary>Creates a database (if missing) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException("A database name here is letters, digits, '_' and '-', starting with a letter.", nameof(name));
        }

        var exists = await PsqlAsync($"SELECT 1 FROM pg_database WHERE datname = '{name}'", cancellationToken).ConfigureAwait(false);
        if (exists.Trim() != "1")
        {
            await PsqlAsync($"CREATE DATABASE \"{name}\"", cancellationToken).ConfigureAwait(false);
        }

        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast shutdown) but keeps its data, for database-outage tests; see <see cref="StartAgainAsync"/>.</summary>
    public async Task StopTemporarilyAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            await StopServerAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Starts the server again on the same port with the same data after <see cref="StopTemporarilyAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!IsRunning)
            {
                await StartServerAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>), makes sure none of its processes is left and removes its
    /// directory. Idempotent.</summary>
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

    private static string? FindBinDirectory()
    {
        if (!Directory.Exists(DefaultInstallRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(DefaultInstallRoot)
            .Select(version => (Version: int.TryParse(Path.GetFileName(version), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1,
                Bin: Path.Combine(version, "bin")))
            .Where(candidate => candidate.Version >= 0 && File.Exists(Path.Combine(candidate.Bin, "postgres")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex DatabaseName();

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(RootDirectory))
        {
            Directory.Delete(RootDirectory, recursive: true);
        }

        Directory.CreateDirectory(RootDirectory);
        await account.TakeOwnershipAsync(RootDirectory, cancellationToken).ConfigureAwait(false);
        await CommandRunner.RunAsync(Path.Combine(binDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"], account,
            workingDirectory: RootDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        server = ChildProcess.Start(Path.Combine(binDirectory, "postgres"),
            [
                "-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", RootDirectory,
                "-c", "listen_addresses=127.0.0.1",
                "-c", "max_connections=" + options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ],
            account, new Dictionary<string, string?>(), RootDirectory, OnOutput);
        ArmGuard();
        try
        {
            await Poll.UntilAsync(async token => server.HasExited
                    ? throw new InfrastructureStartException($"postgres exited with code {server.ExitCode}.")
                    : await AcceptsConnectionsAsync(token).ConfigureAwait(false),
                options.StartTimeout, $"PostgreSQL on port {Port}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InfrastructureStartException)
        {
            await server.KillTreeAsync(CancellationToken.None).ConfigureAwait(false);
            ReleaseServer();
            throw new InfrastructureStartException(
                $"PostgreSQL did not start: {e.Message}{Environment.NewLine}Last output:{Environment.NewLine}{tail}", e);
        }
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        // pg_isready distinguishes "accepting connections" from "starting up", which a bare TCP connect cannot.
        var output = await CommandRunner.RunAsync(Path.Combine(binDirectory, "pg_isready"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres"],
            throwOnFailure: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        return output.Contains("accepting connections", StringComparison.Ordinal);
    }

    private Task<string> PsqlAsync(string sql, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(Path.Combine(binDirectory, "psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres",
                "-v", "ON_ERROR_STOP=1", "-X", "-q", "-t", "-A", "-c", sql],
            cancellationToken: cancellationToken);

    private async Task StopServerAsync(CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return;
        }

        // Read before stopping: once the postmaster is gone its backends would be re-parented.
        var processes = ProcessTree.DescendantsOf(server.Pid).Append(server.Pid).ToList();
        if (!server.HasExited)
        {
            await CommandRunner.RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"],
                account, workingDirectory: RootDirectory, throwOnFailure: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!await server.WaitForExitAsync(StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                await server.KillTreeAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await Poll.UntilAsync(() => !processes.Exists(ProcessTree.IsAlive), TimeSpan.FromSeconds(10),
            "the PostgreSQL processes to exit", cancellationToken).ConfigureAwait(false);
        ReleaseServer();
    }

    private void ReleaseServer()
    {
        server?.Dispose();
        server = null;
        ArmGuard();
    }

    private void ArmGuard()
    {
        // SIGKILL on the postmaster is enough: its backends notice their parent's death and exit by themselves.
        var kill = server is { HasExited: false } running
            ? string.Create(CultureInfo.InvariantCulture, $"kill -9 {running.Pid}; sleep 1; ")
            : string.Empty;
        guard.Arm(kill + "rm -rf " + OrphanGuard.Quote(RootDirectory));
    }

    private void OnOutput(string line, bool isError)
    {
        tail.Add(line);
        options.OnOutput?.Invoke(line);
    }
}
