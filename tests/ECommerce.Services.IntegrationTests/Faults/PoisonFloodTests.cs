using System.Text.Json;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>A flood of poison records lands in the very coupon-issue partitions a flash sale uses, while the sale runs, on two
/// coupon instances with the default retry budget. Each poison record leaves its partition after one attempt (its failure is
/// no transient one), waits out the group's retry topics (1 s, 5 s, 15 s) and is recorded as a dead letter exactly once; the
/// sale's requests keep being decided with every invariant intact. That no poison record held its partition is shown by
/// order of events, not by a latency bound (which the machine's load alone can break): in each partition, the first sale
/// request after the poison records was decided before the poison record just ahead of it was dead-lettered, which a
/// partition held through that record's retries (1 + 5 + 15 s) could only do after it. The sale's p50/p99 accepted→decided
/// latency is reported.</summary>
public sealed class PoisonFloodTests(ITestOutputHelper output)
{
    static int Poisons => FaultScale.Soak ? 2_000 : 200;

    [Fact]
    public async Task Poison_messages_are_dead_lettered_once_each_while_the_sale_flows()
    {
        await using var environment = await ServiceEnvironment.CreateAsync("poison-flood", DatabaseKind.PostgreSql, output);
        using var sale = await TwoInstanceSale.StartAsync(environment);

        Task<IReadOnlyList<Guid>>? flood = null;
        var load = await sale.RunAsync(accepted =>
        {
            if (accepted != sale.Plan.Count / 4)
                return;
            environment.Log.Write($"[test] {accepted} accepted: publishing {Poisons} poison messages into the sale's partitions");
            flood = Task.Run(() => PoisonPublisher.PublishAsync(environment, sale.CouponIds, Poisons));
        });
        Assert.NotNull(flood);
        var poisonIds = await flood;
        Assert.Equal(0, load.UnexpectedAnswers);

        var tables = await FlashSaleScenario.TablesAsync(environment);
        IReadOnlyList<Guid> dead = [];
        await Poll.UntilAsync(async _ => (dead = await tables.DeadLetterMessageIdsAsync()).Count >= Poisons, TimeSpan.FromMinutes(4),
            $"all {Poisons} poison messages to be dead-lettered", interval: TimeSpan.FromMilliseconds(500));

        Assert.Equal(poisonIds.Order(), dead.Order());
        var verdict = await sale.FinishAsync(load, expectedDeadLetters: Poisons);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());

        var requests = await tables.IssueRequestsAsync();
        var latencies = requests.Select(r => (r.DecidedAt!.Value - r.AcceptedAt).TotalMilliseconds).Order().ToList();
        environment.Log.Write($"[test] accepted→decided with {Poisons} poison messages: p50 {latencies[latencies.Count / 2]:0} ms, " +
            $"p99 {latencies[(int)(latencies.Count * 0.99)]:0} ms");

        var decidedAt = requests.ToDictionary(r => r.Id, r => r.DecidedAt!.Value);
        var deadLetteredAt = (await tables.DeadLetterFaultsAsync()).ToDictionary(d => d.MessageId, d => d.FaultedAt);
        var poison = poisonIds.ToHashSet();
        var records = await TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.CouponIssue, environment.Messaging);
        var checkedPartitions = 0;
        foreach (var partition in records.Where(r => r.MessageType == typeof(CouponIssueRequested).FullName).GroupBy(r => r.Partition))
        {
            var inOrder = partition.OrderBy(r => r.Offset).ToList();
            var first = inOrder.FindIndex(r => poison.Contains(r.MessageId!.Value));
            var next = first < 0 ? -1 : inOrder.FindIndex(first + 1, r => !poison.Contains(r.MessageId!.Value));
            if (next < 0)
                continue;
            // The poison record right before the sale's next request: had it held the partition, that request would have
            // waited for its last retry.
            var poisonRecord = inOrder[next - 1];
            var decided = decidedAt[RequestIdOf(inOrder[next])];
            var deadLettered = deadLetteredAt[poisonRecord.MessageId!.Value];
            environment.Log.Write($"[test] coupon-issue[{partition.Key}]: poison at offset {poisonRecord.Offset} dead-lettered " +
                $"{deadLettered:HH:mm:ss.fff}, the sale's next request (offset {inOrder[next].Offset}) decided {decided:HH:mm:ss.fff}");
            Assert.True(decided < deadLettered, $"coupon-issue[{partition.Key}] was held by the poison record at offset {poisonRecord.Offset} " +
                $"until it was dead-lettered ({deadLettered:O}): the next request was decided at {decided:O}");
            checkedPartitions++;
        }

        Assert.True(checkedPartitions > 0, "no partition had a sale request after a poison record");
    }

    static Guid RequestIdOf(TopicRecord record)
    {
        using var envelope = JsonDocument.Parse(record.Value);
        return envelope.RootElement.GetProperty("message").GetProperty("requestId").GetGuid();
    }
}
