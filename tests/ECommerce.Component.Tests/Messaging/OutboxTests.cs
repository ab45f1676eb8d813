using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>The transactional outbox: what a unit of work produces leaves only if it commits, exactly once, with the outbox
/// row id as message id, on the message's topic.</summary>
public sealed class OutboxTests
{
    // A token that is already cancelled makes the harness's Select return what it has seen so far instead of waiting.
    static readonly CancellationToken Snapshot = new(canceled: true);

    [Fact]
    public async Task RolledBackUnitOfWorkPublishesNothing()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("outbox.db"));

        var rolledBack = await host.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<ComponentDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Effects.Add(new Effect { MessageId = Guid.NewGuid(), Kind = "state-change" });
            var id = sp.GetRequiredService<IOutbox>().Add(ComponentHost.Charge());
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
            return id;
        });
        var neverSaved = await host.InScopeAsync(sp =>
            Task.FromResult(sp.GetRequiredService<IOutbox>().Add(ComponentHost.Charge())));

        // A later committed message on the same key: once it is through, the relay has passed every earlier row.
        var marker = await CommitAsync(host, ComponentHost.Charge());
        await Eventually.UntilAsync(host.EffectsAsync, e => e.Any(x => x.MessageId == marker), "the committed marker to be consumed");

        Assert.Empty(host.Tap.SentWithId(rolledBack));
        Assert.Empty(host.Tap.SentWithId(neverSaved));
        var rows = await host.OutboxRowsAsync();
        Assert.DoesNotContain(rows, r => r.Id == rolledBack || r.Id == neverSaved);
        Assert.DoesNotContain(await host.EffectsAsync(), e => e.Kind == "state-change");
        Assert.Equal(0, await host.Relay.RelayBatchAsync(host.Options, CancellationToken.None));
        Assert.Single(host.Tap.Sent);
    }

    /// <summary>A key's events must leave in the order they were produced, also when one unit of work produces many (a batch of
    /// decisions, a batch of charges): EF Core orders the inserts of one SaveChanges as it likes, so the outbox must not
    /// depend on it.</summary>
    [Fact]
    public async Task OneUnitOfWorksRowsAreNumberedInTheOrderTheyWereAdded()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("outbox.db"));

        var added = await host.InScopeAsync(async sp =>
        {
            var outbox = sp.GetRequiredService<IOutbox>();
            var ids = Enumerable.Range(1, 300).Select(i => outbox.Add(new BalanceCharged(Guid.NewGuid(), 42, i, i, i, DateTimeOffset.UtcNow))).ToList();
            await sp.GetRequiredService<ComponentDbContext>().SaveChangesAsync();
            return ids;
        });

        Assert.Equal(added, (await host.OutboxRowsAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task CommittedMessageIsPublishedOnceToItsTopicWithTheRowIdAsMessageId()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("outbox.db"));
        var charge = ComponentHost.Charge(userId: 42);

        var id = await CommitAsync(host, charge);

        await Eventually.UntilAsync(host.OutboxRowsAsync, r => r.All(x => x.Id != id), "the confirmed outbox row to be deleted");
        await Eventually.UntilAsync(() => host.Tap.ConsumedWithId(id), c => c.Any(x => x.Succeeded), "the message to be consumed");

        var sent = Assert.Single(host.Tap.SentWithId(id));
        Assert.Equal(typeof(BalanceCharged), sent.MessageType);
        Assert.Equal(Topics.BalanceActivity, LastSegment(sent.DestinationAddress));

        // The harness sees the same send, with the topic and key headers the relay sets, and the consume on the group's queue.
        var observed = Assert.Single(host.Harness.Sent.Select<BalanceCharged>(x => x.Context.MessageId == id, Snapshot));
        Assert.Equal(charge, observed.Context.Message);
        Assert.Equal(Topics.BalanceActivity, observed.Context.Headers.Get<string>(OutboxPublisher.TopicHeader));
        Assert.Equal("42", observed.Context.Headers.Get<string>(OutboxPublisher.PartitionKeyHeader));
        var consumed = Assert.Single(host.Harness.Consumed.Select<BalanceCharged>(x => x.Context.MessageId == id, Snapshot));
        Assert.Equal(ComponentHost.LedgerQueue, LastSegment(consumed.Context.ReceiveContext.InputAddress));

        // Deleted rows are never picked up again.
        Assert.Equal(0, await host.Relay.RelayBatchAsync(host.Options, CancellationToken.None));
        Assert.Single(host.Tap.SentWithId(id));
        Assert.Single(await host.EffectsAsync(), e => e.MessageId == id);
    }

    [Fact]
    public async Task RowsOfOneKeyAreConsumedInCommitOrder()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("outbox.db"));

        var ids = new List<Guid>();
        for (var i = 1; i <= 5; i++)
            ids.Add(await CommitAsync(host, ComponentHost.Charge(userId: 9, amount: i)));

        var effects = await Eventually.UntilAsync(host.EffectsAsync, e => e.Count == ids.Count, "all five charges to be applied");
        Assert.Equal(ids, effects.Select(e => e.MessageId));
        Assert.Equal([1m, 2m, 3m, 4m, 5m], effects.Select(e => e.Amount));
    }

    [Fact]
    public async Task RestartedRelayRepublishesOnlyRowsLeftUndeleted()
    {
        using var dir = new TempDirectory();
        var database = dir.File("outbox.db");
        var charges = Enumerable.Range(1, 3).Select(i => ComponentHost.Charge(amount: i)).ToList();
        var ids = new List<Guid>();
        await using (var first = await ComponentHost.StartAsync(database))
        {
            foreach (var charge in charges)
                ids.Add(await CommitAsync(first, charge));
            await Eventually.UntilAsync(first.EffectsAsync, e => e.Count == 3, "all three to be applied");
            await Eventually.UntilAsync(first.OutboxRowsAsync, r => r.Count == 0, "all confirmed rows to be deleted");
        }

        // A crash between the broker's confirm and the delete leaves a published row in the table.
        var options = new DbContextOptionsBuilder<ComponentDbContext>().UseSqlite($"Data Source={database};Pooling=False").Options;
        await using (var db = new ComponentDbContext(options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await OutboxBatch.InsertAsync(db, [OutboxBatch.Row(charges[1], ids[1], DateTimeOffset.UtcNow)], CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using var second = await ComponentHost.StartAsync(database);
        await Eventually.UntilAsync(second.OutboxRowsAsync, r => r.Count == 0, "the row left behind to be re-published and deleted");
        await Eventually.UntilAsync(() => second.Tap.ConsumedWithId(ids[1]), c => c.Any(x => x.Succeeded), "the re-published message to be consumed");

        // Same message id as the first time, so the inbox absorbs it; the rows deleted before the restart never leave again.
        Assert.Single(second.Tap.SentWithId(ids[1]));
        Assert.Empty(second.Tap.SentWithId(ids[0]));
        Assert.Empty(second.Tap.SentWithId(ids[2]));
        Assert.Equal(0, await second.Relay.RelayBatchAsync(second.Options, CancellationToken.None));
        Assert.Single(second.Tap.Sent);
        Assert.Equal(ids, (await second.EffectsAsync()).Select(e => e.MessageId));
        Assert.Equal(1, await second.InboxCountAsync(ids[1]));
    }

    [Fact]
    public async Task CommitWakesTheRelayWithoutWaitingForThePoll()
    {
        using var dir = new TempDirectory();
        // A poll far longer than the test may take: only the commit signal can get these rows out in time.
        await using var host = await ComponentHost.StartAsync(dir.File("outbox.db"), s => s["Messaging:OutboxPollInterval"] = "00:05:00");

        var plain = await CommitAsync(host, ComponentHost.Charge());
        await Eventually.UntilAsync(() => host.Tap.SentWithId(plain), s => s.Count == 1, "a SaveChanges commit to be relayed", TimeSpan.FromSeconds(10));

        var explicitTransaction = await host.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<ComponentDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var id = sp.GetRequiredService<IOutbox>().Add(ComponentHost.Charge());
            await db.SaveChangesAsync();
            // Not yet committed: the relay must not see it, and the signal must wait for the commit.
            Assert.Empty(host.Tap.SentWithId(id));
            await transaction.CommitAsync();
            return id;
        });
        await Eventually.UntilAsync(() => host.Tap.SentWithId(explicitTransaction), s => s.Count == 1,
            "an explicit transaction's commit to be relayed", TimeSpan.FromSeconds(10));

        // Rows written past the change tracker, as the group-commit writers write theirs, wake it the same way.
        var batch = await host.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<ComponentDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var rows = Enumerable.Range(1, 3).Select(i => OutboxBatch.Row(ComponentHost.Charge(userId: 5, amount: i), DateTimeOffset.UtcNow)).ToList();
            await OutboxBatch.InsertAsync(db, rows, CancellationToken.None);
            Assert.Empty(host.Tap.SentWithId(rows[0].Id));
            await transaction.CommitAsync();
            return rows.Select(r => r.Id).ToList();
        });
        await Eventually.UntilAsync(() => host.Tap.Sent.Where(s => batch.Contains(s.MessageId ?? Guid.Empty)).ToList(), s => s.Count == 3,
            "a batch insert's commit to be relayed", TimeSpan.FromSeconds(10));
        // One key: they leave in the order they were inserted.
        Assert.Equal(batch, host.Tap.Sent.Where(s => batch.Contains(s.MessageId ?? Guid.Empty)).Select(s => s.MessageId!.Value));
    }

    [Fact]
    public async Task BatchInsertRefusesToRunOutsideATransaction()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("outbox.db"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.InScopeAsync(sp =>
            OutboxBatch.InsertAsync(sp.GetRequiredService<ComponentDbContext>(), [OutboxBatch.Row(ComponentHost.Charge(), DateTimeOffset.UtcNow)],
                CancellationToken.None)));
        Assert.Empty(await host.OutboxRowsAsync());
    }

    static Task<Guid> CommitAsync(ComponentHost host, object message) =>
        host.InScopeAsync(async sp =>
        {
            var id = sp.GetRequiredService<IOutbox>().Add(message);
            await sp.GetRequiredService<ComponentDbContext>().SaveChangesAsync();
            return id;
        });

    static string? LastSegment(Uri? address) => address?.AbsolutePath.TrimEnd('/').Split('/')[^1];
}
