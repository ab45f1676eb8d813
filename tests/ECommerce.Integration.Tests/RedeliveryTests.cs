using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>Delayed redelivery without the delayed-message plugin: a failed message waits in the TTL delay queue of the
/// shortest tier not shorter than its redelivery interval, and comes back only when that TTL has run out, carrying a
/// redelivery count that grows by one each time.</summary>
public sealed class RedeliveryTests(ITestOutputHelper output)
{
    static readonly TimeSpan[] Tiers = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    // Neither interval is a tier: 500 ms waits in the 1 s tier, 2 s in the 3 s tier.
    static readonly TimeSpan[] Intervals = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    // The broker expires a message at the head of its queue once its TTL has passed; it should not take much longer.
    static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_failed_message_comes_back_only_after_its_tier_delay_with_an_increasing_redelivery_count()
    {
        // The database takes no part in this (the consumer has no effects), so one provider is enough.
        await using var environment = await TestEnvironment.CreateAsync("redelivery", DatabaseKind.Sqlite, output, o =>
        {
            o.RetryIntervals = [TimeSpan.FromMilliseconds(50)];
            o.RedeliveryIntervals = Intervals;
            o.DelayTiers = Tiers;
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var attempts = new AttemptLog(failedDeliveries: 2);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, m => m.ConsumeCounted<FlakyChargeConsumer>(Topics.BalanceActivity));
        builder.Services.AddSingleton(attempts);
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);

        var messageId = Guid.NewGuid();
        await DirectPublisher.PublishAsync(ledger.Services, messageId, new BalanceCharged(Guid.NewGuid(), 5, 1m, 1m, 1, DateTimeOffset.UtcNow));
        await Poll.UntilAsync(() => attempts.Attempts.Any(a => a.Succeeded), TimeSpan.FromSeconds(30), "the message to succeed");

        var log = attempts.Attempts;
        foreach (var attempt in log)
            output.WriteLine($"{attempt.Since(log[0]).TotalMilliseconds,7:0} ms  redelivery {attempt.RedeliveryCount}  " +
                $"id {attempt.MessageId} (original {attempt.OriginalMessageId})  {(attempt.Succeeded ? "ok" : "failed")}");

        // Each failing delivery is tried 1 + retries times in process; the third delivery succeeds at once.
        Assert.Equal([0, 0, 1, 1, 2], log.Select(a => a.RedeliveryCount));
        Assert.Equal([false, false, false, false, true], log.Select(a => a.Succeeded));
        // A redelivery is the same message: the inbox and the dead-letter store both rely on its id staying the same.
        Assert.All(log, a => Assert.Equal(messageId, a.MessageId));
        var first = log[2].Since(log[1]);
        var second = log[4].Since(log[3]);
        // In-process retries (50 ms) come sooner than the delayed redeliveries. Compared with each other rather than with a
        // fixed bound: on a loaded 2-core CI machine even a 50 ms retry has been seen to take a second.
        Assert.True(log[1].Since(log[0]) < first, $"in-process retry took {log[1].Since(log[0])}, the redelivery {first}");
        Assert.True(log[3].Since(log[2]) < second, $"in-process retry took {log[3].Since(log[2])}, the redelivery {second}");

        Assert.True(first >= Tiers[0], $"the first redelivery came after {first}, before its 1 s tier ran out");
        Assert.True(first < Tiers[0] + Slack, $"the first redelivery came after {first}");
        Assert.True(second >= Tiers[1], $"the second redelivery came after {second}, before its 3 s tier ran out");
        Assert.True(second < Tiers[1] + Slack, $"the second redelivery came after {second}");
    }
}
