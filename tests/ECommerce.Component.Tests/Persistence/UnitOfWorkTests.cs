using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>A unit of work's transaction begins at its first write, not before: its reads leave SQLite's write lock to
/// others; its saves all land in that one transaction, committed together or not at all.</summary>
public sealed class UnitOfWorkTests
{
    [Fact]
    public async Task Reads_take_no_transaction_and_every_save_commits_together_or_not_at_all()
    {
        using var host = await SqliteHost<ComponentDbContext>.StartAsync("unit-of-work");
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComponentDbContext>();

        await db.BeginUnitOfWorkAsync(CancellationToken.None);
        Assert.Equal(0, await db.OutboxMessages.CountAsync());
        await db.SaveChangesAsync();
        Assert.Null(db.Database.CurrentTransaction);
        // Nothing written yet, so nothing held: another connection writes meanwhile.
        await host.AddOutboxRowsAsync(1);

        // A statement of its own (not a save) asks for the transaction first.
        await db.BeforeWriteAsync(CancellationToken.None);
        var transaction = db.Database.CurrentTransaction;
        Assert.NotNull(transaction);
        await db.OutboxMessages.ExecuteDeleteAsync();
        db.OutboxMessages.Add(Row());
        await db.SaveChangesAsync();
        db.OutboxMessages.Add(Row());
        await db.SaveChangesAsync();
        Assert.Same(transaction, db.Database.CurrentTransaction);
        await db.EndUnitOfWorkAsync();
        Assert.Equal(1, await CountAsync(host));

        db.ChangeTracker.Clear();
        await db.BeginUnitOfWorkAsync(CancellationToken.None);
        db.OutboxMessages.Add(Row());
        await db.SaveChangesAsync();
        db.OutboxMessages.Add(Row());
        await db.CommitUnitOfWorkAsync(CancellationToken.None);
        await db.EndUnitOfWorkAsync();
        Assert.Null(db.Database.CurrentTransaction);
        Assert.Equal(3, await CountAsync(host));

        // Outside a unit of work a save is its own transaction, as always.
        db.OutboxMessages.Add(Row());
        await db.SaveChangesAsync();
        Assert.Null(db.Database.CurrentTransaction);
        Assert.Equal(4, await CountAsync(host));
    }

    static OutboxMessage Row()
    {
        var now = DateTimeOffset.UtcNow;
        return OutboxBatch.Row(new BalanceCharged(Guid.NewGuid(), 1, 1m, 1m, 1, now), now);
    }

    static async Task<int> CountAsync(SqliteHost<ComponentDbContext> host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ComponentDbContext>().OutboxMessages.CountAsync();
    }
}
