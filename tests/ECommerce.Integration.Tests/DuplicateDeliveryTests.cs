using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>The inbox: a message that reaches a consumer twice (same message id) has one effect, whether the copies are two
/// records one after the other on a partition (a producer that produced it again), two records racing each other on two
/// partitions, or one record read again because the group's committed offset went back (a member that died before its
/// commit, a replay).</summary>
public sealed class DuplicateDeliveryTests(ITestOutputHelper output)
{
    const int Messages = 16;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_message_produced_twice_in_a_row_has_one_effect(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("dup-keyed", database, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        await using var ledger = await TestServices.StartLedgerAsync(environment, TestServices.LedgerBuilder(environment, ledgerDatabase,
            TestServices.Consume<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build(), Topics.BalanceActivity);

        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < Messages; i++)
        {
            var charge = new BalanceCharged(Guid.NewGuid(), 1000 + i, 1m, 1m, 1, DateTimeOffset.UtcNow);
            var first = await environment.Producer.ProduceAsync(charge, ids[i]);
            var second = await environment.Producer.ProduceAsync(charge, ids[i]);
            // Two records, one right behind the other on the key's partition.
            Assert.Equal(first.Partition, second.Partition);
            Assert.Equal(first.Offset.Value + 1, second.Offset.Value);
        }

        await AssertOneEffectEachAsync(environment, ledger, Topics.BalanceActivity, ids, deliveriesEach: 2, "charge");
    }

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Two_copies_of_a_message_racing_on_two_partitions_have_one_effect(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("dup-race", database, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, TestServices.Consume<OrderLedgerConsumer>(Topics.OrderCompleted));
        builder.Services.AddSingleton<PairBarrier>();
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.OrderCompleted);

        // order-completed is unkeyed: the copies go to partitions 0 and 1, whose workers run side by side, each taking its
        // partition's records in order, so the two copies of every message are in the handler at the same time.
        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        using var copies = new ContractProducer(environment.BootstrapServers, environment.Messaging);
        foreach (var id in ids)
        {
            var order = new OrderCompleted(Guid.NewGuid(), 7, [new OrderLine(Guid.NewGuid(), 1, 3m, 3m)], 3m, 0m, 3m, null,
                DateTimeOffset.UtcNow);
            await copies.ProduceAsync(order, id, partition: 0);
            await copies.ProduceAsync(order, id, partition: 1);
        }

        await AssertOneEffectEachAsync(environment, ledger, Topics.OrderCompleted, ids, deliveriesEach: 2, "order");
        // Both copies of every message were inside the handler at once, so each pair really raced to commit.
        Assert.Equal(Messages, ledger.Services.GetRequiredService<PairBarrier>().Met);
    }

    /// <summary>A consumer group reads a partition from its committed offset; whatever moves that offset back (a member that
    /// applied records but died before committing them, an operator's reset) delivers the records again.</summary>
    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Records_replayed_from_an_earlier_committed_offset_have_no_second_effect(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("dup-replay", database, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < Messages; i++)
            await environment.Producer.ProduceAsync(new BalanceCharged(Guid.NewGuid(), 3000 + (i % 4), 1m, 1m, 1 + (i / 4), DateTimeOffset.UtcNow), ids[i]);

        await using (var first = await TestServices.StartLedgerAsync(environment, TestServices.LedgerBuilder(environment, ledgerDatabase,
                         TestServices.Consume<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build(), Topics.BalanceActivity))
        {
            await AssertOneEffectEachAsync(environment, first, Topics.BalanceActivity, ids, deliveriesEach: 1, "charge");
        }

        // The group's position goes back to the start of every partition, as if nothing had been committed.
        await environment.Groups.ResetOffsetsAsync(TestServices.Ledger, Topics.BalanceActivity, _ => 0, Patience);
        Assert.All(await environment.Groups.LagAsync(TestServices.Ledger, Topics.BalanceActivity), p => Assert.Equal((long?)0, p.Committed));

        // The next member reads every record again: each is delivered (the filter before the inbox sees it) and changes nothing.
        await using var second = await TestServices.StartLedgerAsync(environment, TestServices.LedgerBuilder(environment, ledgerDatabase,
            TestServices.Consume<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build(), Topics.BalanceActivity);
        await AssertOneEffectEachAsync(environment, second, Topics.BalanceActivity, ids, deliveriesEach: 1, "charge");
    }

    /// <summary>The inbox janitor deletes rows past the retention in chunks (a delete with ORDER BY and LIMIT, translated for
    /// each database) and leaves the younger ones, which still turn copies away.</summary>
    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Inbox_rows_past_the_retention_are_purged_and_younger_ones_still_refuse_copies(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("inbox-purge", database, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        await using var ledger = await TestServices.StartLedgerAsync(environment, TestServices.LedgerBuilder(environment, ledgerDatabase,
            TestServices.Consume<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build(), Topics.BalanceActivity);

        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        var charges = ids.Select((_, i) => new BalanceCharged(Guid.NewGuid(), 2000 + i, 1m, 1m, 1, DateTimeOffset.UtcNow)).ToList();
        for (var i = 0; i < Messages; i++)
            await environment.Producer.ProduceAsync(charges[i], ids[i]);
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        await Poll.UntilAsync(() => deliveries.Total >= Messages && deliveries.InFlight == 0, Patience, "every charge to be consumed once");

        var old = DateTimeOffset.UtcNow - TimeSpan.FromDays(8);
        await ledger.Host.QueryAsync<LedgerDbContext, int>(db =>
        {
            db.InboxMessages.AddRange(Enumerable.Range(0, 5_000).Select(i =>
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "expired", ProcessedAt = old - TimeSpan.FromSeconds(i) }));
            return db.SaveChangesAsync();
        });

        var janitor = ledger.Services.GetRequiredService<InboxJanitor>();
        await janitor.PurgeAsync(CancellationToken.None);
        Assert.Equal(0, await janitor.PurgeAsync(CancellationToken.None));
        Assert.Equal(ids.Order(), (await ledger.Host.QueryAsync<LedgerDbContext, List<Guid>>(db =>
            db.InboxMessages.AsNoTracking().Select(x => x.MessageId).ToListAsync())).Order());

        for (var i = 0; i < Messages; i++)
            await environment.Producer.ProduceAsync(charges[i], ids[i]);
        await AssertOneEffectEachAsync(environment, ledger, Topics.BalanceActivity, ids, deliveriesEach: 2, "charge");
    }

    static async Task AssertOneEffectEachAsync(TestEnvironment environment, RunningHost ledger, string topic, List<Guid> ids, int deliveriesEach,
        string kind)
    {
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        await TestServices.WaitUntilSettledAsync(environment, ledger, topic, d => d.Total >= deliveriesEach * ids.Count, Patience,
            $"{deliveriesEach} deliveries of every message and the ledger group to commit the whole topic");

        Assert.All(ids, id => Assert.Equal(deliveriesEach, deliveries.Of(id)));
        Assert.Equal(deliveriesEach * ids.Count, deliveries.Total);
        var effects = await ledger.Host.QueryAsync<LedgerDbContext, List<LedgerEntry>>(db => db.Entries.AsNoTracking().ToListAsync());
        Assert.Equal(ids.Order(), effects.Select(e => e.MessageId).Order());
        Assert.All(effects, e => Assert.Equal(kind, e.Kind));
        Assert.Equal(ids.Count, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.InboxMessages.CountAsync()));
        Assert.Equal(0, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.DeadLetters.CountAsync()));
    }
}
