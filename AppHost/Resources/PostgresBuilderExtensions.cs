using System.Globalization;
using ECommerce.AppHost.Suite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ECommerce.AppHost.Resources;

public static class PostgresBuilderExtensions
{
    const string InstallRoot = "/usr/lib/postgresql";

    /// <summary>A PostgreSQL server on <see cref="SuitePorts.Postgres"/>, its cluster created (initdb) on first use in the
    /// suite's data directory and kept from run to run.</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name, SuiteSettings suite)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(suite);
        var bin = FindBinDirectory()
            ?? throw new InvalidOperationException($"PostgreSQL is not installed (no {InstallRoot}/<version>/bin/postgres): apt-get install -y postgresql, or run eng/run.sh --postgres, which installs it.");
        var account = ServiceAccount.For("postgres");
        var postgres = Path.Combine(bin, "postgres");
        var server = new PostgresServerResource(name, account.Command(postgres), Path.Combine(suite.ResolveDataDirectory(), "postgres"), bin,
            suite.PortOf(SuitePorts.Postgres));
        var ready = $"{name}-accepts-queries";
        builder.Services.AddHealthChecks().AddAsyncCheck(ready, ct => QueryAsync(server.ConnectionString + ";Database=postgres", ct));
        return builder.AddResource(server)
            .WithArgs([.. account.Prefix(postgres), "-D", server.DataDirectory, "-p", Invariant(server.Port), "-k", server.Directory,
                "-c", "listen_addresses=127.0.0.1"])
            .WithHealthCheck(ready)
            .OnBeforeResourceStarted((s, _, ct) => InitializeClusterAsync(s, account, ct))
            .OnResourceReady((s, e, ct) => CreateDatabasesAsync(s, e.Services, ct))
            .ExcludeFromManifest();
    }

    /// <summary>A database named <paramref name="databaseName"/> on <paramref name="server"/>.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name,
        string databaseName)
    {
        ArgumentNullException.ThrowIfNull(server);
        var database = new PostgresDatabaseResource(name, databaseName, server.Resource);
        server.Resource.Databases.Add(database);
        var created = $"{name}-created";
        server.ApplicationBuilder.Services.AddHealthChecks().AddCheck(created, () => database.IsCreated
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Database {databaseName} is not created yet."));
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.NotStarted,
                Properties = [new("database", databaseName)],
            })
            .WithParentRelationship(server)
            .WithHealthCheck(created)
            .ExcludeFromManifest();
    }

    static async Task InitializeClusterAsync(PostgresServerResource server, ServiceAccount account, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(server.Directory);
        await account.TakeOwnershipAsync(server.Directory, cancellationToken).ConfigureAwait(false);
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
            return;
        await account.RunAsync(Path.Combine(server.BinDirectory, "initdb"),
            ["-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"], server.Directory,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    static async Task CreateDatabasesAsync(PostgresServerResource server, IServiceProvider services, CancellationToken cancellationToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var logs = services.GetRequiredService<ResourceLoggerService>();
        await using var connection = new NpgsqlConnection(server.ConnectionString + ";Database=postgres");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var database in server.Databases)
        {
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
            {
                exists.Parameters.AddWithValue(database.DatabaseName);
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    logs.GetLogger(database).LogInformation("Created database {Database}", database.DatabaseName);
                }
            }

            database.IsCreated = true;
            await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow })
                .ConfigureAwait(false);
        }
    }

    static async Task<HealthCheckResult> QueryAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=5");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer queries yet: {e.Message}");
        }
    }

    static string? FindBinDirectory() => !Directory.Exists(InstallRoot)
        ? null
        : Directory.EnumerateDirectories(InstallRoot)
            .Select(v => (Version: int.TryParse(Path.GetFileName(v), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1, Bin: Path.Combine(v, "bin")))
            .Where(c => c.Version >= 0 && File.Exists(Path.Combine(c.Bin, "postgres")))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Bin)
            .FirstOrDefault();

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
