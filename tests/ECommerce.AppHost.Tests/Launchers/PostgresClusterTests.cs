using ECommerce.Testing.Infrastructure;
using Npgsql;
using ECommerce.AppHost.Tests.Suite;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Launchers;

public sealed class PostgresClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServesDatabasesSurvivesAnOutageAndLeavesNothingBehind()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { OnOutput = TestOutput.Forward(output, "postgres") });
        var connectionString = await cluster.CreateDatabaseAsync("data-platform");
        Assert.Equal($"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database=data-platform", connectionString);
        Assert.Equal(connectionString, await cluster.CreateDatabaseAsync("data-platform")); // idempotent

        // Without pooling, so that no connection broken by the outage is handed out again.
        var unpooled = connectionString + ";Pooling=false";
        await using (var connection = new NpgsqlConnection(unpooled))
        {
            await connection.OpenAsync();
            Assert.Equal("data-platform", await ScalarAsync(connection, "SELECT current_database()"));
            Assert.Equal("300", await ScalarAsync(connection, "SHOW max_connections"));
            await ScalarAsync(connection, "CREATE TABLE kept (value int); INSERT INTO kept VALUES (42); SELECT 1");
        }

        var firstPostmaster = cluster.Pid;
        await cluster.StopTemporarilyAsync();
        Assert.False(ProcessTree.IsAlive(firstPostmaster));
        await using (var connection = new NpgsqlConnection(unpooled))
        {
            await Assert.ThrowsAsync<NpgsqlException>(() => connection.OpenAsync());
        }

        await cluster.StartAgainAsync();
        await using (var connection = new NpgsqlConnection(unpooled))
        {
            await connection.OpenAsync();
            Assert.Equal("42", await ScalarAsync(connection, "SELECT value FROM kept"));
        }

        var processes = ProcessTree.DescendantsOf(cluster.Pid).Append(cluster.Pid).ToList();
        var directory = cluster.RootDirectory;
        await cluster.StopAsync();

        Assert.DoesNotContain(processes, ProcessTree.IsAlive);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task SaysHowToInstallPostgresWhenItIsMissing()
    {
        var error = await Assert.ThrowsAsync<InfrastructureNotInstalledException>(
            () => PostgresCluster.StartAsync(new PostgresClusterOptions { BinDirectory = "/nonexistent/postgresql/bin" }));

        Assert.Equal("apt-get install -y postgresql", error.InstallCommand);
        Assert.True(PostgresCluster.IsInstalled);
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
