using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>The transactional outbox across the two crashes that matter: after the commit but before anything was produced
/// (the event must still go out, once), and after the broker acknowledged the records but before the relay deleted their rows
/// (the event goes out again with the same message id, and the consumer's inbox applies it once).</summary>
public sealed class OutboxCrashTests(ITestOutputHelper output)
{
    const int Messages = 20;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Rows_committed_before_a_crash_are_produced_exactly_once_by_the_next_relay(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("outbox-commit", database, output);
        await using var ledger = await StartLedgerAsync(environment);

        // The producer committed its state change and its events, then died before its relay produced anything: its rows
        // are in its database and no relay runs (the host is built, never started).
        var producerDatabase = await environment.CreateDatabaseAsync(TestServices.Producer);
        var crashed = TestServices.ProducerBuilder(environment, producerDatabase).Build();
        var ids = await OutboxWriter.CommitChargesAsync(crashed.Services, Messages);
        Assert.Equal(Messages, (await OutboxWriter.PendingAsync(crashed.Services)).Count);
        Assert.Empty(await TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.BalanceActivity, environment.Messaging));
        crashed.Dispose();

        // The service comes back: its relay finds the committed rows and produces them.
        await using var restarted = await RunningHost.StartAsync(TestServices.ProducerBuilder(environment, producerDatabase).Build());
        await WaitUntilSettledAsync(environment, ledger, restarted, expectedDeliveries: Messages);

        // Once on the topic, once delivered, once applied.
        var records = await TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.BalanceActivity, environment.Messaging);
        Assert.Equal(ids.Order(), records.Select(r => r.MessageId!.Value).Order());
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        Assert.All(ids, id => Assert.Equal(1, deliveries.Of(id)));
        Assert.Equal(Messages, deliveries.Total);
        await AssertAppliedOnceAsync(ledger, ids);
    }

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Rows_produced_but_not_deleted_before_a_crash_are_produced_again_and_applied_once(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("outbox-delete", database, output);
        await using var ledger = await StartLedgerAsync(environment);
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        var producerDatabase = await environment.CreateDatabaseAsync(TestServices.Producer);

        // A relay whose every attempt to delete acknowledged rows fails, as if the process died right after the broker's
        // delivery reports; its retry is put far off so that the "crash" is the end of it.
        var crash = new CrashBeforeDeletingInterceptor();
        var crashing = TestServices.ProducerBuilder(environment, producerDatabase, o => o.OutboxPollInterval = TimeSpan.FromMinutes(5));
        crashing.Services.ConfigureDbContext<ProducerDbContext>(o => o.AddInterceptors(crash));
        var crashingHost = crashing.Build();
        var ids = await OutboxWriter.CommitChargesAsync(crashingHost.Services, Messages);
        await using (await RunningHost.StartAsync(crashingHost))
        {
            await crash.Crashed.WaitAsync(Patience);
            await Poll.UntilAsync(() => deliveries.Total >= Messages && deliveries.InFlight == 0, Patience,
                "the first production to be consumed");
            Assert.Equal(Messages, (await OutboxWriter.PendingAsync(crashingHost.Services)).Count);
        }

        await AssertAppliedOnceAsync(ledger, ids);

        // The service restarts with a healthy relay: the rows are still pending, so they are produced again, same ids.
        await using var restarted = await RunningHost.StartAsync(TestServices.ProducerBuilder(environment, producerDatabase).Build());
        await WaitUntilSettledAsync(environment, ledger, restarted, expectedDeliveries: 2 * Messages);

        // Each message is on the topic twice (two records, the same message id), delivered twice, applied once.
        var records = await TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.BalanceActivity, environment.Messaging);
        Assert.Equal(ids.Concat(ids).Order(), records.Select(r => r.MessageId!.Value).Order());
        Assert.All(ids, id => Assert.Equal(2, deliveries.Of(id)));
        await AssertAppliedOnceAsync(ledger, ids);
    }

    static async Task<RunningHost> StartLedgerAsync(TestEnvironment environment)
    {
        var database = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var host = TestServices.LedgerBuilder(environment, database, TestServices.Consume<ChargeLedgerConsumer>(Topics.BalanceActivity)).Build();
        return await TestServices.StartLedgerAsync(environment, host, Topics.BalanceActivity);
    }

    /// <summary>Waits until the relay has deleted every row, the ledger has committed everything on the topic and is not in the
    /// middle of a message: from then on no further delivery can come.</summary>
    static async Task WaitUntilSettledAsync(TestEnvironment environment, RunningHost ledger, RunningHost producer, int expectedDeliveries)
    {
        await Poll.UntilAsync(async _ => (await OutboxWriter.PendingAsync(producer.Services)).Count == 0, Patience,
            "the relay to produce and delete every row");
        await TestServices.WaitUntilSettledAsync(environment, ledger, Topics.BalanceActivity, d => d.Total >= expectedDeliveries, Patience,
            $"{expectedDeliveries} deliveries and the ledger group to commit the whole topic");
    }

    static async Task AssertAppliedOnceAsync(RunningHost ledger, IReadOnlyList<Guid> ids)
    {
        var entries = await ledger.Host.QueryAsync<LedgerDbContext, List<Guid>>(db => db.Entries.Select(e => e.MessageId).ToListAsync());
        var inbox = await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.InboxMessages.CountAsync());
        Assert.Equal(ids.Order(), entries.Order());
        Assert.Equal(ids.Count, inbox);
    }
}
