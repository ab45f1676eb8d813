using System.Net;
using System.Net.Http.Json;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Ops;
using ECommerce.ServiceDefaults.Persistence;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>Retry, then DLQ, on Kafka: a message no attempt can apply leaves its partition at once for the group's retry topics
/// (<c>&lt;group&gt;.retry-N</c>, each waited out), then lands in the group's dead-letter topic (<c>&lt;group&gt;.dead-letters</c>),
/// whose recorder stores it with its exception in the service's database; once the bug is fixed an operator re-drives it
/// through the service's ops HTTP API, it is produced back with its original message id and applied, once. Meanwhile the
/// records behind it on its partition are not held up.</summary>
public sealed class DeadLetterTests(ITestOutputHelper output)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_poison_message_goes_through_the_retry_topics_to_the_dead_letters_and_is_applied_once_when_redriven(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("poison", database, output, o =>
        {
            o.RetryIntervals = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)];
            o.RedeliveryIntervals = [TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500)];
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = InProcessHost.CreateWebBuilder($"{environment.Name}/{TestServices.Ledger}", environment.Configuration(TestServices.Ledger, ledgerDatabase),
            environment.Log);
        builder.AddServiceDefaults(TestServices.Ledger, defaultPort: 5999);
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<PoisonSwitch>();
        builder.AddPersistence<LedgerDbContext>(TestServices.Ledger);
        builder.AddMessaging(TestServices.Ledger, TestServices.Consume<PoisonChargeConsumer>(Topics.BalanceActivity));
        var app = builder.Build();
        app.UseServiceDefaults();
        await using var service = await TestServices.StartLedgerAsync(environment, app, Topics.BalanceActivity);
        using var http = app.GetTestClient();
        var poison = app.Services.GetRequiredService<PoisonSwitch>();

        var messageId = Guid.NewGuid();
        var charge = new BalanceCharged(Guid.NewGuid(), 42, 9m, 9m, 1, DateTimeOffset.UtcNow);
        await environment.Producer.ProduceAsync(charge, messageId);

        List<DeadLetterView>? letters = null;
        await Poll.UntilAsync(async token =>
        {
            letters = await http.GetFromJsonAsync<List<DeadLetterView>>(new Uri("/ops/dead-letters", UriKind.Relative), token);
            return letters is { Count: > 0 };
        }, Patience, "the poison message to reach the dead-letter store");

        var letter = Assert.Single(letters!);
        environment.Log.Write($"dead letter: queue {letter.Queue}, type {letter.MessageType}, id {letter.MessageId}, " +
            $"{letter.Payload.Length} characters of payload{Environment.NewLine}{letter.Exception}");
        Assert.Equal(messageId, letter.MessageId);
        Assert.Equal($"{TestServices.Ledger}.{Topics.BalanceActivity}", letter.Queue);
        Assert.Equal(typeof(BalanceCharged).FullName, letter.MessageType);
        Assert.Contains(typeof(InvalidOperationException).FullName!, letter.Exception, StringComparison.Ordinal);
        Assert.Contains($"{PoisonChargeConsumer.Complaint} {charge.ChargeId}", letter.Exception, StringComparison.Ordinal);
        // The whole budget was spent: one attempt from the topic and one from each retry topic (the consumer's own exception
        // is not retried in process, which would only hold the partition).
        var options = environment.Messaging;
        Assert.Equal(1 + options.RedeliveryIntervals.Length, poison.Attempts);
        Assert.Equal(0, await service.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()));
        Assert.Equal(0, await service.Host.QueryAsync<LedgerDbContext, int>(db => db.InboxMessages.CountAsync()));

        // Its way is on the broker: one record with its id in each retry topic, then one in the dead-letter topic (names
        // without the test's prefix, which the reader adds).
        foreach (var topic in KafkaNames.FailureTopics(new MessagingOptions { RedeliveryIntervals = options.RedeliveryIntervals }, TestServices.Ledger))
            Assert.Equal([messageId], await MessageIdsAsync(environment, topic));

        // The recorder has committed the dead-letter topic, and every partition the group reads has its owner.
        await Poll.UntilAsync(async token =>
        {
            List<ConsumerLag>? lag;
            try
            {
                lag = await http.GetFromJsonAsync<List<ConsumerLag>>(new Uri("/ops/consumers", UriKind.Relative), token);
            }
            catch (HttpRequestException)
            {
                // The lag reader's broker requests have deadlines of a few seconds; on a loaded machine one can pass: not yet.
                return false;
            }

            return lag is { Count: > 0 } && lag.All(p => p.Ready == 0 && p.Consumers == 1)
                && lag.Any(p => p.Topic == KafkaNames.DeadLetterTopic(new MessagingOptions(), TestServices.Ledger) && p.Committed == 1);
        }, TimeSpan.FromSeconds(30), "the ops API to report every partition owned and nothing left to consume, the dead letter included");

        // The fix is deployed; the operator re-drives the message.
        poison.Fixed = true;
        var attemptsBefore = poison.Attempts;
        using (var redrive = await http.PostAsync(new Uri($"/ops/dead-letters/{letter.Id}/redrive", UriKind.Relative), null))
            Assert.Equal(HttpStatusCode.Accepted, redrive.StatusCode);

        await Poll.UntilAsync(async _ => await service.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()) > 0,
            Patience, "the re-driven message to be applied");
        var entries = await service.Host.QueryAsync<LedgerDbContext, List<LedgerEntry>>(db => db.Entries.AsNoTracking().ToListAsync());
        Assert.Equal(messageId, Assert.Single(entries).MessageId);
        Assert.Equal(attemptsBefore + 1, poison.Attempts);
        Assert.Equal(1, await service.Host.QueryAsync<LedgerDbContext, int>(db => db.InboxMessages.CountAsync()));
        Assert.Empty((await http.GetFromJsonAsync<List<DeadLetterView>>(new Uri("/ops/dead-letters", UriKind.Relative)))!);
        // It went back as the same message: a second record with the original id on the group's first retry topic.
        Assert.Equal([messageId, messageId], await MessageIdsAsync(environment, KafkaNames.RetryTopic(new MessagingOptions(), TestServices.Ledger, 1)));

        // Re-driving it again is refused: the letter is gone.
        using var again = await http.PostAsync(new Uri($"/ops/dead-letters/{letter.Id}/redrive", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_discarded_dead_letter_is_gone_without_being_applied(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("discard", database, output, o =>
        {
            o.RetryIntervals = [TimeSpan.FromMilliseconds(20)];
            o.RedeliveryIntervals = [TimeSpan.FromMilliseconds(500)];
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, TestServices.Consume<PoisonChargeConsumer>(Topics.BalanceActivity));
        builder.Services.AddSingleton<PoisonSwitch>();
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);
        var messageId = Guid.NewGuid();
        await environment.Producer.ProduceAsync(new BalanceCharged(Guid.NewGuid(), 43, 1m, 1m, 1, DateTimeOffset.UtcNow), messageId);

        await using var scope = ledger.Services.CreateAsyncScope();
        var deadLetters = scope.ServiceProvider.GetRequiredService<DeadLetterService>();
        IReadOnlyList<DeadLetter> letters = [];
        await Poll.UntilAsync(async token => (letters = await deadLetters.ListAsync(10, token)).Count > 0, Patience,
            "the poison message to reach the dead-letter store");
        var letter = Assert.Single(letters);
        Assert.Equal(messageId, letter.MessageId);

        Assert.True(await deadLetters.DiscardAsync(letter.Id, CancellationToken.None));
        Assert.Empty(await deadLetters.ListAsync(10, CancellationToken.None));
        Assert.False(await deadLetters.DiscardAsync(letter.Id, CancellationToken.None));
        Assert.Equal(RedriveResult.NotFound, await deadLetters.RedriveAsync(letter.Id, CancellationToken.None));
        Assert.Equal(0, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()));
    }

    /// <summary>Kafka's partition is a queue with one reader: a record retried where it stands would hold every record behind
    /// it. Here the poison's every attempt after its first waits (see <see cref="PoisonedCharges"/>) until the records produced
    /// after it on the same partition have been applied, so the test can only pass if they are applied while the poison is
    /// still on its way through the retry topics.</summary>
    [Fact]
    public async Task A_poison_record_holds_its_partition_no_longer_than_its_first_attempt()
    {
        const int Behind = 10;
        await using var environment = await TestEnvironment.CreateAsync("poison-partition", DatabaseKind.Sqlite, output, o =>
        {
            o.RetryIntervals = [TimeSpan.FromMilliseconds(50)];
            o.RedeliveryIntervals = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200)];
        });
        const long User = 77;
        var poisonCharge = new BalanceCharged(Guid.NewGuid(), User, 1m, 1m, 1, DateTimeOffset.UtcNow);
        var poisonId = Guid.NewGuid();
        var poisonPosition = await environment.Producer.ProduceAsync(poisonCharge, poisonId);
        var behind = new List<(Guid Id, long Sequence)>();
        for (var sequence = 2; sequence < 2 + Behind; sequence++)
        {
            var id = Guid.NewGuid();
            var position = await environment.Producer.ProduceAsync(new BalanceCharged(Guid.NewGuid(), User, 1m, sequence, sequence, DateTimeOffset.UtcNow), id);
            Assert.Equal(poisonPosition.Partition, position.Partition);
            behind.Add((id, sequence));
        }

        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, TestServices.Consume<SelectivePoisonConsumer>(Topics.BalanceActivity));
        var poisoned = new PoisonedCharges([poisonCharge.ChargeId]);
        builder.Services.AddSingleton(poisoned);
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);

        await Poll.UntilAsync(async _ => await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()) == Behind, Patience,
            $"the {Behind} records behind the poison on its partition to be applied while it waits in a retry topic");
        // Applied in their order, and the poison was tried once and is now waiting at its second attempt, not yet dead.
        var applied = await ledger.Host.QueryAsync<LedgerDbContext, List<Guid>>(db => db.Entries.OrderBy(e => e.Id).Select(e => e.MessageId).ToListAsync());
        Assert.Equal(behind.Select(b => b.Id), applied);
        await Poll.UntilAsync(() => poisoned.AttemptsOf(poisonCharge.ChargeId) == 2, Patience, "the poison's attempt from the first retry topic");
        Assert.Equal(0, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.DeadLetters.CountAsync()));

        poisoned.Release();
        await Poll.UntilAsync(async _ => await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.DeadLetters.CountAsync()) == 1, Patience,
            "the poison to reach the dead-letter store once released");
        var letter = await ledger.Host.QueryAsync<LedgerDbContext, DeadLetter>(db => db.DeadLetters.AsNoTracking().SingleAsync());
        Assert.Equal(poisonId, letter.MessageId);
        Assert.Equal(1 + environment.Messaging.RedeliveryIntervals.Length, poisoned.AttemptsOf(poisonCharge.ChargeId));
        Assert.Equal(Behind, await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()));
    }

    /// <summary>The message ids of every record of <paramref name="topic"/> (named without the test's prefix), in log order.</summary>
    static async Task<List<Guid>> MessageIdsAsync(TestEnvironment environment, string topic)
    {
        var records = await TopicReader.ReadAllAsync(environment.BootstrapServers, topic, environment.Messaging);
        return records.OrderBy(r => r.Partition).ThenBy(r => r.Offset).Select(r => r.MessageId!.Value).ToList();
    }
}
