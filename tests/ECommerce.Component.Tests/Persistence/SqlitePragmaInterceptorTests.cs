using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>Every SQLite connection a service opens runs in WAL mode with its page cache: SQLite's default unless the service
/// asked for more, on each connection the pool hands out.</summary>
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

    static async Task<T> ScalarAsync<T>(DbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
