using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>An endpoint that handles a partition's buffered records several per transaction
/// (<c>TopicEndpoint(topic, group, recordsPerTransaction, …)</c>): a backlog is applied in shared transactions, each record
/// once and every key's records in order; a record that fails rolls its whole batch back, its batch-mates are applied again one
/// at a time, and it goes its own way through the retry topic to the dead letters.</summary>
public sealed class BatchTransactionTests(ITestOutputHelper output)
{
    const int Users = 20;
    const int PerUser = 20;
    const int Charges = Users * PerUser;
    const int RecordsPerTransaction = 16;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_backlog_is_applied_in_shared_transactions_and_a_failing_record_rolls_back_only_its_batch(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("batch", database, output, o => o.RedeliveryIntervals = [TimeSpan.FromMilliseconds(200)]);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);

        // The backlog is produced before the ledger starts, so its workers find many records buffered at a time. Every 37th
        // charge or so is poisoned, of various users: wherever a batch boundary falls, poisoned charges sit inside batches.
        var charges = Enumerable.Range(0, Charges)
            .Select(i => (MessageId: Guid.NewGuid(), Charge: new BalanceCharged(Guid.NewGuid(), 1 + (i % Users), 1m, 1m, 1 + (i / Users), DateTimeOffset.UtcNow)))
            .ToList();
        foreach (var (messageId, charge) in charges)
            await environment.Producer.ProduceAsync(charge, messageId);
        var poisoned = charges.Where((_, i) => i % 37 == 7).ToList();
        var poison = new PoisonedCharges(poisoned.Select(p => p.Charge.ChargeId));
        poison.Release();
        var observations = new BatchObservations();

        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase,
            TestServices.Consume<BatchedChargeConsumer>(Topics.BalanceActivity, RecordsPerTransaction));
        builder.Services.AddSingleton(poison);
        builder.Services.AddSingleton(observations);
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);

        await Poll.UntilAsync(async _ => await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.DeadLetters.CountAsync()) == poisoned.Count
            && await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()) >= Charges - poisoned.Count,
            Patience, $"{Charges - poisoned.Count} charges applied and {poisoned.Count} dead-lettered");

        // Once each, and in each user's order: the entries' ids follow the commits.
        var applied = await ledger.Host.QueryAsync<LedgerDbContext, List<Guid>>(db => db.Entries.OrderBy(e => e.Id).Select(e => e.MessageId).ToListAsync());
        var healthy = charges.Except(poisoned).ToList();
        Assert.Equal(healthy.Select(c => c.MessageId).Order(), applied.Order());
        var byMessage = charges.ToDictionary(c => c.MessageId, c => c.Charge);
        foreach (var user in applied.Select(id => byMessage[id]).GroupBy(c => c.UserId))
            Assert.Equal(user.Select(c => c.Sequence).Order(), user.Select(c => c.Sequence));
        var letters = await ledger.Host.QueryAsync<LedgerDbContext, List<Guid?>>(db => db.DeadLetters.Select(d => d.MessageId).ToListAsync());
        Assert.Equal(poisoned.Select(p => (Guid?)p.MessageId).Order(), letters.Order());

        var attempts = observations.Attempts;
        var inBatch = attempts.Count(a => a.InBatch);
        environment.Log.Write($"{attempts.Count} attempts, {inBatch} inside a batch");
        // Most of the backlog went through shared transactions (a worker takes whatever is buffered, up to the limit)...
        Assert.True(inBatch > Charges / 2, $"only {inBatch} of {attempts.Count} attempts ran inside a batch");
        // ...and a batch a poisoned charge failed was rolled back: its healthy batch-mates were applied again on their own,
        // and still once (above).
        var poisonedIds = poisoned.Select(p => p.Charge.ChargeId).ToHashSet();
        var redone = attempts.Where(a => !poisonedIds.Contains(a.ChargeId)).GroupBy(a => a.ChargeId)
            .Count(g => g.Any(a => a.InBatch) && g.Any(a => !a.InBatch));
        Assert.True(redone > 0, "no healthy charge was handled again after its batch was rolled back");
    }
}
