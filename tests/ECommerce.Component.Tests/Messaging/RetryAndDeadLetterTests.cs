using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>Retry inside redelivery, then the error queue, whose recorder keeps the message and its exception in the service's
/// database for an operator to re-drive or discard. The test host delivers 3 times (1 + 2 redeliveries); a transient failure
/// (a timeout, a database error) is also retried in process, 3 attempts per delivery, so its budget is 9 attempts; a
/// permanent one (the consumer's own exception) is not, so it holds the partition for one attempt per delivery: 3.</summary>
public sealed class RetryAndDeadLetterTests
{
    const int AttemptBudget = 3;

    [Fact]
    public async Task TransientFailureIsRetriedThenSucceedsWithoutDeadLettering()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("retry.db"));
        // Past the in-process retries (3 attempts), so the first redelivery is exercised too.
        host.Faults.FailFirstAttempts(4);
        var id = Guid.NewGuid();

        await host.PublishAsMessageIdAsync(ComponentHost.Charge(), id);

        await Eventually.UntilAsync(host.EffectsAsync, e => e.Any(x => x.MessageId == id), "the message to be applied");
        Assert.Equal(5, host.Faults.AttemptsOf(id));
        Assert.Empty(await host.DeadLettersAsync());
        Assert.Single(await host.EffectsAsync());
    }

    [Fact]
    public async Task PermanentFailureIsDeadLetteredWithItsExceptionAndRedriveDeliversItOnceFixed()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("dead-letter.db"));
        host.Faults.AlwaysFail();
        var charge = ComponentHost.Charge(userId: 5, amount: 3.25m);
        var id = Guid.NewGuid();

        await host.PublishAsMessageIdAsync(charge, id);

        var letter = Assert.Single(await Eventually.UntilAsync(host.DeadLettersAsync, l => l.Count == 1, "the message to be dead-lettered"));
        Assert.Equal(AttemptBudget, host.Faults.AttemptsOf(id));
        Assert.Equal(ComponentHost.LedgerQueue, letter.Queue);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal(MessageUrn.ForTypeString<BalanceCharged>(), letter.MessageType);
        Assert.NotNull(letter.Exception);
        Assert.Contains(typeof(SimulatedFailureException).FullName!, letter.Exception, StringComparison.Ordinal);
        Assert.Contains("Simulated permanent failure", letter.Exception, StringComparison.Ordinal);
        Assert.Contains("\"chargeId\"", letter.Payload, StringComparison.Ordinal);
        Assert.Empty(await host.EffectsAsync());

        host.Faults.Heal();
        var result = await host.InScopeAsync(sp => sp.GetRequiredService<DeadLetterService>().RedriveAsync(letter.Id, CancellationToken.None));

        Assert.Equal(RedriveResult.Redriven, result);
        var effect = Assert.Single(await Eventually.UntilAsync(host.EffectsAsync, e => e.Count == 1, "the re-driven message to be applied"));
        // Re-driven with its original id and body, to the queue it failed on.
        Assert.Equal(id, effect.MessageId);
        Assert.Equal(charge.Amount, effect.Amount);
        Assert.Equal(AttemptBudget + 1, host.Faults.AttemptsOf(id));
        Assert.Contains(host.Tap.ConsumedWithId(id), c => c.Succeeded && c.InputAddress!.AbsolutePath.EndsWith(ComponentHost.LedgerQueue, StringComparison.Ordinal));
        Assert.Empty(await host.DeadLettersAsync());
    }

    [Fact]
    public async Task TransientFailureSpendsTheInProcessRetriesOfEveryDeliveryBeforeDeadLettering()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("transient.db"));
        host.Faults.AlwaysTimeOut();
        var id = Guid.NewGuid();

        await host.PublishAsMessageIdAsync(ComponentHost.Charge(), id);

        var letter = Assert.Single(await Eventually.UntilAsync(host.DeadLettersAsync, l => l.Count == 1, "the message to be dead-lettered"));
        Assert.Equal(3 * AttemptBudget, host.Faults.AttemptsOf(id));
        Assert.Contains(typeof(SimulatedOutageException).FullName!, letter.Exception, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscardRemovesTheDeadLetterAndUnknownIdsAreReported()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("dead-letter.db"));
        host.Faults.AlwaysFail();

        await host.PublishAsMessageIdAsync(ComponentHost.Charge(), Guid.NewGuid());
        var letter = Assert.Single(await Eventually.UntilAsync(host.DeadLettersAsync, l => l.Count == 1, "the message to be dead-lettered"));

        await host.InScopeAsync(async sp =>
        {
            var deadLetters = sp.GetRequiredService<DeadLetterService>();
            Assert.True(await deadLetters.DiscardAsync(letter.Id, CancellationToken.None));
            Assert.False(await deadLetters.DiscardAsync(letter.Id, CancellationToken.None));
            Assert.Equal(RedriveResult.NotFound, await deadLetters.RedriveAsync(letter.Id, CancellationToken.None));
            return true;
        });
        Assert.Empty(await host.DeadLettersAsync());
        Assert.Empty(await host.EffectsAsync());
    }
}
