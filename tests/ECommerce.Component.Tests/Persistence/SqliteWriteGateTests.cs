using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>The SQLite write gate queues write transactions instead of letting them race for the database's lock: it is held
/// exactly while a transaction or a lone write statement runs, and is given back however the transaction ends, so it can
/// never be lost.</summary>
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    readonly TempDirectory _dir = new();
    readonly SqliteWriteGate _gate = new();
    DbContextOptions<ComponentDbContext> _options = null!;

    public async Task InitializeAsync()
    {
        _options = new DbContextOptionsBuilder<ComponentDbContext>()
            .UseSqlite($"Data Source={_dir.File("gate.db")};Default Timeout=30;Pooling=True")
            .AddInterceptors(new SqlitePragmaInterceptor(), _gate)
            .Options;
        await using var db = Open();
        await SchemaSynchronizer.SynchronizeAsync(db, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    ComponentDbContext Open() => new(_options);

    [Fact]
    public async Task IsHeldWhileATransactionRunsAndFreeAfterItCommits()
    {
        await using var db = Open();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.False(_gate.IsFree);
            db.Effects.Add(new Effect { MessageId = Guid.NewGuid(), Kind = "commit" });
            await db.SaveChangesAsync();
            Assert.False(_gate.IsFree);
            await transaction.CommitAsync();
        }

        Assert.True(_gate.IsFree);
        Assert.Equal(1, await db.Effects.CountAsync());
    }

    [Fact]
    public async Task IsGivenBackByARollbackByADisposeWithoutEitherAndAfterAFailedStatement()
    {
        await using (var db = Open())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await transaction.RollbackAsync();
        }

        Assert.True(_gate.IsFree);

        await using (var db = Open())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Effects.Add(new Effect { MessageId = Guid.NewGuid(), Kind = "never committed" });
            await db.SaveChangesAsync();
        }

        Assert.True(_gate.IsFree);

        await using (var db = Open())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("INSERT INTO no_such_table VALUES (1)"));
        }

        Assert.True(_gate.IsFree);
        await using var check = Open();
        Assert.Equal(0, await check.Effects.CountAsync());
    }

    [Fact]
    public async Task HoldsALoneWriteStatementOnlyWhileItRunsEvenWhenItFails()
    {
        await using var db = Open();
        db.Effects.Add(new Effect { MessageId = Guid.NewGuid(), Kind = "lone" });
        await db.SaveChangesAsync();
        Assert.True(_gate.IsFree);

        Assert.Equal(1, await db.Effects.Where(e => e.Kind == "lone").ExecuteUpdateAsync(s => s.SetProperty(e => e.Amount, 5m)));
        Assert.True(_gate.IsFree);

        await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("UPDATE no_such_table SET x = 1"));
        Assert.True(_gate.IsFree);
    }

    [Fact]
    public async Task ASecondTransactionStartsOnlyAfterTheFirstEnds()
    {
        await using var first = Open();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        await using var second = Open();
        var secondBegins = second.Database.BeginTransactionAsync();
        Assert.False(secondBegins.IsCompleted);

        first.Effects.Add(new Effect { MessageId = Guid.NewGuid(), Kind = "first" });
        await first.SaveChangesAsync();
        await firstTransaction.CommitAsync();

        await using var secondTransaction = await secondBegins;
        Assert.False(_gate.IsFree);
        await secondTransaction.CommitAsync();
        Assert.True(_gate.IsFree);
    }

    /// <summary>Read-modify-write transactions racing on one row: none fails with a busy database, none loses an update.</summary>
    [Fact]
    public async Task ManyRacingWriteTransactionsAllCommitInTurn()
    {
        await using (var db = Open())
        {
            db.Effects.Add(new Effect { MessageId = Guid.NewGuid(), Kind = "counter" });
            await db.SaveChangesAsync();
        }

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            await Task.Yield();
            await using var db = Open();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var counter = await db.Effects.SingleAsync(e => e.Kind == "counter");
            counter.Amount += 1;
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }));

        await using var check = Open();
        Assert.Equal(200m, (await check.Effects.SingleAsync(e => e.Kind == "counter")).Amount);
        Assert.True(_gate.IsFree);
    }
}
