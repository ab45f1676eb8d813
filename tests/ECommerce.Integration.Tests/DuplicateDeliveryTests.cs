using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>The inbox: a message delivered twice (same message id) has one effect, whether the copies come one after the
/// other (a keyed partition, one message at a time) or race each other on concurrent consumers (an unkeyed queue).</summary>
public sealed class DuplicateDeliveryTests(ITestOutputHelper output)
{
    const int Messages = 16;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_message_delivered_twice_in_a_row_has_one_effect(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("dup-keyed", database, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        await using var ledger = await TestServices.StartLedgerAsync(environment, TestServices.LedgerBuilder(environment, ledgerDatabase,
            m => m.ConsumeCounted<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build(), Topics.BalanceActivity);

        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < Messages; i++)
        {
            var charge = new BalanceCharged(Guid.NewGuid(), 1000 + i, 1m, 1m, 1, DateTimeOffset.UtcNow);
            await DirectPublisher.PublishAsync(ledger.Services, ids[i], charge);
            await DirectPublisher.PublishAsync(ledger.Services, ids[i], charge);
        }

        await AssertOneEffectEachAsync(environment, ledger, Topics.BalanceActivity, ids, "charge");
    }

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Two_copies_of_a_message_racing_on_concurrent_consumers_have_one_effect(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("dup-race", database, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, m => m.ConsumeCounted<OrderLedgerConsumer>(Topics.OrderCompleted));
        builder.Services.AddSingleton<PairBarrier>();
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.OrderCompleted);

        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            var order = new OrderCompleted(Guid.NewGuid(), 7, [new OrderLine(Guid.NewGuid(), 1, 3m, 3m)], 3m, 0m, 3m, null,
                DateTimeOffset.UtcNow);
            await DirectPublisher.PublishAsync(ledger.Services, id, order);
            await DirectPublisher.PublishAsync(ledger.Services, id, order);
        }

        await AssertOneEffectEachAsync(environment, ledger, Topics.OrderCompleted, ids, "order");
        // Both copies of every message were inside the handler at once, so each pair really raced to commit.
        Assert.Equal(Messages, ledger.Services.GetRequiredService<PairBarrier>().Met);
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
            m => m.ConsumeCounted<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build(), Topics.BalanceActivity);

        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        var charges = ids.Select((_, i) => new BalanceCharged(Guid.NewGuid(), 2000 + i, 1m, 1m, 1, DateTimeOffset.UtcNow)).ToList();
        for (var i = 0; i < Messages; i++)
            await DirectPublisher.PublishAsync(ledger.Services, ids[i], charges[i]);
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        await Poll.UntilAsync(_ => Task.FromResult(deliveries.Total >= Messages && deliveries.InFlight == 0), Patience,
            "every charge to be consumed once");

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
            await DirectPublisher.PublishAsync(ledger.Services, ids[i], charges[i]);
        await AssertOneEffectEachAsync(environment, ledger, Topics.BalanceActivity, ids, "charge");
    }

    static async Task AssertOneEffectEachAsync(TestEnvironment environment, RunningHost ledger, string topic, List<Guid> ids, string kind)
    {
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        await using var probe = await BrokerProbe.ConnectAsync(environment.BrokerUri);
        var queues = Queues.Of(TestServices.Ledger, topic, environment.Messaging);
        await Poll.UntilAsync(async _ => deliveries.Total >= 2 * ids.Count && deliveries.InFlight == 0
            && await Queues.DrainedAsync(probe, queues), Patience, "both copies of every message to be consumed");

        Assert.All(ids, id => Assert.Equal(2, deliveries.Of(id)));
        var effects = await ledger.Host.QueryAsync<LedgerDbContext, List<LedgerEntry>>(db => db.Entries.AsNoTracking().ToListAsync());
        Assert.Equal(ids.Order(), effects.Select(e => e.MessageId).Order());
        Assert.All(effects, e => Assert.Equal(kind, e.Kind));
        Assert.Equal(ids.Count, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.InboxMessages.CountAsync()));
        Assert.Equal(0, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.DeadLetters.CountAsync()));
    }
}
