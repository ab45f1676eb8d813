using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>Delayed redelivery through the group's retry topics: a record that failed its in-process retries is produced to
/// retry tier k with a due time <c>RedeliveryIntervals[k-1]</c> after the failure, and the tier's worker hands it to the
/// consumer no sooner than that, then (failing again) passes it on to tier k + 1. The message id stays the same throughout.</summary>
public sealed class RedeliveryTests(ITestOutputHelper output)
{
    static readonly TimeSpan[] Intervals = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    /// <summary>How early a timer may fire against the wall clock: .NET's timers run on the kernel's coarse monotonic clock
    /// (a few milliseconds per tick) and round the delay down to whole milliseconds.</summary>
    static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task A_failed_record_waits_in_each_retry_tier_until_it_is_due_and_keeps_its_message_id()
    {
        // The database takes no part in this (the consumer has no effects), so one provider is enough.
        await using var environment = await TestEnvironment.CreateAsync("redelivery", DatabaseKind.Sqlite, output, o =>
        {
            o.RetryIntervals = [TimeSpan.FromMilliseconds(50)];
            o.RedeliveryIntervals = Intervals;
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var attempts = new AttemptLog(failedTiers: 2);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, TestServices.Consume<FlakyChargeConsumer>(Topics.BalanceActivity));
        builder.Services.AddSingleton(attempts);
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);

        var messageId = Guid.NewGuid();
        await environment.Producer.ProduceAsync(new BalanceCharged(Guid.NewGuid(), 5, 1m, 1m, 1, DateTimeOffset.UtcNow), messageId);
        await Poll.UntilAsync(() => attempts.Attempts.Any(a => a.Succeeded), TimeSpan.FromSeconds(30), "the message to succeed");

        var log = attempts.Attempts;
        foreach (var attempt in log)
            environment.Log.Write($"{attempt.Since(log[0]).TotalMilliseconds,7:0} ms  tier {attempt.Tier}  id {attempt.MessageId}  " +
                $"{(attempt.DueAt is { } due ? $"{(attempt.At - due).TotalMilliseconds:0} ms after its due time" : "from the topic")}  {(attempt.Succeeded ? "ok" : "failed")}");

        // Each failing tier is tried 1 + retries times in process (a timeout is transient); the third tier succeeds at once.
        Assert.Equal([0, 0, 1, 1, 2], log.Select(a => a.Tier));
        Assert.Equal([false, false, false, false, true], log.Select(a => a.Succeeded));
        // A redelivery is the same message: the inbox and the dead-letter store both rely on its id staying the same.
        Assert.All(log, a => Assert.Equal(messageId, a.MessageId));

        foreach (var tier in new[] { 1, 2 })
        {
            var failed = log.Last(a => a.Tier == tier - 1);
            var first = log.First(a => a.Tier == tier);
            var interval = Intervals[tier - 1];
            // The record carried its due time, the interval after its previous tier's last failure, and was not handed to the
            // consumer before it.
            Assert.NotNull(first.DueAt);
            Assert.True(first.DueAt >= failed.At + interval - TimerGranularity,
                $"tier {tier}: due {first.DueAt:O}, but the failure before it was at {failed.At:O} and the interval is {interval}");
            Assert.True(first.At >= first.DueAt - TimerGranularity, $"tier {tier}: handled at {first.At:O}, due at {first.DueAt:O}");
            Assert.True(first.Since(failed) >= interval - TimerGranularity, $"tier {tier} came {first.Since(failed)} after the failure, before its interval {interval}");
        }

        // On the broker: one record of the message in each retry tier the consumer failed in, and none in the dead letters.
        var names = new MessagingOptions { RedeliveryIntervals = Intervals };
        foreach (var tier in new[] { 1, 2 })
        {
            var records = await TopicReader.ReadAllAsync(environment.BootstrapServers, KafkaNames.RetryTopic(names, TestServices.Ledger, tier), environment.Messaging);
            Assert.Equal([messageId], records.Select(r => r.MessageId));
        }

        Assert.Empty(await TopicReader.ReadAllAsync(environment.BootstrapServers, KafkaNames.DeadLetterTopic(names, TestServices.Ledger), environment.Messaging));
    }
}
