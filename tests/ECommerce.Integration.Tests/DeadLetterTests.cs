using System.Net;
using System.Net.Http.Json;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Ops;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>Retry, then DLQ: a message no attempt can apply goes through in-process retry and TTL redelivery, lands in the
/// error queue, and is recorded with its exception in the service's dead-letter store; once the bug is fixed an operator
/// re-drives it through the service's ops HTTP API and it is applied, once.</summary>
public sealed class DeadLetterTests(ITestOutputHelper output)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task A_poison_message_is_dead_lettered_after_its_retry_budget_and_applied_once_when_redriven(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("poison", database, output, o =>
        {
            o.RetryIntervals = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)];
            o.RedeliveryIntervals = [TimeSpan.FromSeconds(1)];
            o.DelayTiers = [TimeSpan.FromSeconds(1)];
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = InProcessHost.CreateWebBuilder(TestServices.Ledger, environment.Configuration(TestServices.Ledger, ledgerDatabase),
            environment.Log);
        builder.AddServiceDefaults(TestServices.Ledger, defaultPort: 5999);
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<PoisonSwitch>();
        builder.AddPersistence<LedgerDbContext>(TestServices.Ledger);
        builder.AddMessaging(TestServices.Ledger, m => m.ConsumeCounted<PoisonChargeConsumer>(Topics.BalanceActivity));
        var app = builder.Build();
        app.UseServiceDefaults();
        await using var service = await TestServices.StartLedgerAsync(environment, app, Topics.BalanceActivity);
        using var http = app.GetTestClient();
        var poison = app.Services.GetRequiredService<PoisonSwitch>();

        var messageId = Guid.NewGuid();
        var charge = new BalanceCharged(Guid.NewGuid(), 42, 9m, 9m, 1, DateTimeOffset.UtcNow);
        await DirectPublisher.PublishAsync(app.Services, messageId, charge);

        List<DeadLetterView>? letters = null;
        await Poll.UntilAsync(async token =>
        {
            letters = await http.GetFromJsonAsync<List<DeadLetterView>>(new Uri("/ops/dead-letters", UriKind.Relative), token);
            return letters is { Count: > 0 };
        }, Patience, "the poison message to reach the dead-letter store");

        var letter = Assert.Single(letters!);
        output.WriteLine($"dead letter: queue {letter.Queue}, type {letter.MessageType}, id {letter.MessageId}, " +
            $"{letter.Payload.Length} characters of payload{Environment.NewLine}{letter.Exception}");
        Assert.Equal(messageId, letter.MessageId);
        Assert.StartsWith($"{TestServices.Ledger}.{Topics.BalanceActivity}.p", letter.Queue, StringComparison.Ordinal);
        Assert.Contains(nameof(BalanceCharged), letter.MessageType, StringComparison.Ordinal);
        Assert.Contains(typeof(InvalidOperationException).FullName!, letter.Exception, StringComparison.Ordinal);
        Assert.Contains($"{PoisonChargeConsumer.Complaint} {charge.ChargeId}", letter.Exception, StringComparison.Ordinal);
        // The whole budget was spent: one attempt per delivery (the consumer's own exception is not retried in process,
        // which would only hold the partition), on the first delivery and on the one redelivery.
        var options = environment.Messaging;
        Assert.Equal(1 + options.RedeliveryIntervals.Length, poison.Attempts);
        Assert.Equal(0, await service.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()));
        Assert.Equal(0, await service.Host.QueryAsync<LedgerDbContext, int>(db => db.InboxMessages.CountAsync()));

        // The error queue is empty: the recorder took the message out of the broker into the database.
        // (Read through the management API, whose statistics trail the broker by a few seconds.)
        await Poll.UntilAsync(async token =>
        {
            var lag = await http.GetFromJsonAsync<List<ConsumerLag>>(new Uri("/ops/consumers", UriKind.Relative), token);
            return lag is { Count: > 0 } && lag.All(queue => queue.DeadLettered == 0 && queue.Consumers > 0);
        }, TimeSpan.FromSeconds(30), "the ops API to report every queue consumed and every error queue empty");

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
            o.RedeliveryIntervals = [TimeSpan.FromSeconds(1)];
            o.DelayTiers = [TimeSpan.FromSeconds(1)];
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, m => m.ConsumeCounted<PoisonChargeConsumer>(Topics.BalanceActivity));
        builder.Services.AddSingleton<PoisonSwitch>();
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);
        var messageId = Guid.NewGuid();
        await DirectPublisher.PublishAsync(ledger.Services, messageId, new BalanceCharged(Guid.NewGuid(), 43, 1m, 1m, 1, DateTimeOffset.UtcNow));

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
}
