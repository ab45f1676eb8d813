using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>Every SQLite connection a service opens runs in WAL mode with its page cache: SQLite's default unless the service
/// asked for more or configuration says otherwise, on each connection the pool hands out.</summary>
public sealed class SqlitePragmaInterceptorTests : IDisposable
{
    readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(null, -2000)]
    [InlineData(64, -65536)]
    public async Task A_connection_has_WAL_and_the_page_cache_asked_for(int? cacheMiB, long expected)
    {
        var options = new DbContextOptionsBuilder<ComponentDbContext>()
            .UseSqlite($"Data Source={_dir.File($"pragmas-{cacheMiB}.db")};Pooling=True")
            .AddInterceptors(new SqlitePragmaInterceptor(cacheMiB))
            .Options;

        // Twice: the second open takes the pooled connection again.
        for (var open = 0; open < 2; open++)
        {
            await using var db = new ComponentDbContext(options);
            await db.Database.OpenConnectionAsync();
            Assert.Equal("wal", await ScalarAsync<string>(db, "PRAGMA journal_mode"));
            Assert.Equal(expected, await ScalarAsync<long>(db, "PRAGMA cache_size"));
        }
    }

    [Theory]
    [InlineData(null, null, -2000)]
    [InlineData(64, null, -65536)]
    [InlineData(64, "8", -8192)]
    [InlineData(null, "16", -16384)]
    public async Task Configuration_overrides_the_services_page_cache(int? serviceDefault, string? configured, long expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:cache-test"] = $"Data Source={_dir.File($"configured-{serviceDefault}-{configured}.db")}";
        if (configured is not null)
            builder.Configuration["Persistence:SqliteCacheMiB"] = configured;
        builder.AddPersistence<ComponentDbContext>("cache-test", serviceDefault);
        using var host = builder.Build();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComponentDbContext>();
        await db.Database.OpenConnectionAsync();
        Assert.Equal(expected, await ScalarAsync<long>(db, "PRAGMA cache_size"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_cache_below_one_MiB_is_refused_at_start(string configured)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:cache-test"] = $"Data Source={_dir.File("refused.db")}";
        builder.Configuration["Persistence:SqliteCacheMiB"] = configured;

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddPersistence<ComponentDbContext>("cache-test"));
        Assert.Contains("Persistence:SqliteCacheMiB", error.Message, StringComparison.Ordinal);
    }

    static async Task<T> ScalarAsync<T>(DbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
