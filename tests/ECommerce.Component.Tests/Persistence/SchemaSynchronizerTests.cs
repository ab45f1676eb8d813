using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>A database made by an earlier version of a service gains what the model added since, on start.</summary>
public sealed class SchemaSynchronizerTests : IDisposable
{
    const string Index = "IX_inbox_messages_ProcessedAt";

    readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task An_index_the_model_gained_is_created_on_an_existing_table()
    {
        var options = new DbContextOptionsBuilder<ComponentDbContext>().UseSqlite($"Data Source={_dir.File("schema.db")}").Options;
        await using (var db = new ComponentDbContext(options))
        {
            await SchemaSynchronizer.SynchronizeAsync(db, CancellationToken.None);
            // As a version before the index was added left the table.
            await db.Database.ExecuteSqlRawAsync($"DROP INDEX \"{Index}\"");
            Assert.Null(await IndexSqlAsync(db));
        }

        await using (var db = new ComponentDbContext(options))
        {
            await SchemaSynchronizer.SynchronizeAsync(db, CancellationToken.None);
            var sql = await IndexSqlAsync(db);
            Assert.NotNull(sql);
            Assert.Contains("ON \"inbox_messages\" (\"ProcessedAt\")", sql, StringComparison.Ordinal);

            // Idempotent: a second start finds nothing to do.
            await SchemaSynchronizer.SynchronizeAsync(db, CancellationToken.None);
        }
    }

    static async Task<string?> IndexSqlAsync(ComponentDbContext db) =>
        await db.Database.SqlQueryRaw<string>(
                $"SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'index' AND name = '{Index}'")
            .SingleOrDefaultAsync();
}
