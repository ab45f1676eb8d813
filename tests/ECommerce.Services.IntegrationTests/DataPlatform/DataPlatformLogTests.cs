using ECommerce.Testing.Records;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>The data platform on a real Kafka broker and database: thousands of mixed events over every domain topic, a tenth of
/// them published twice, while the instance reading the log is killed and two others take over (one reads, holding the ingest
/// lease; the other waits for it). The projections must equal the figures computed here from what was published, the event
/// log must hold each event once with its topic, partition and key, and a replay from the topics' retained records must give
/// the same projections, twice.</summary>
public sealed class DataPlatformLogTests(ITestOutputHelper output)
{
    const string Service = "data-platform";

    static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal) { ["DataPlatform__LeaseDuration"] = "00:00:03" };

    [Theory]
    [InlineData(DatabaseKind.PostgreSql, 3000)]
    [InlineData(DatabaseKind.Sqlite, 2000)]
    public async Task Projections_equal_the_published_events_across_a_crash_and_replay_equals_live(DatabaseKind database, int events)
    {
        await using var environment = await ServiceEnvironment.CreateAsync("dataplatform", database, output);
        var plan = EventPlan.Create(events, 20261121);
        var expected = ExpectedStats.Of(plan.Distinct);
        var clock = Stopwatch.StartNew();

        // The topics exist before any service starts (as the AppHost creates them): what is published before the data platform
        // ever ran is retained for it.
        using var publisher = new EventPublisher(environment);
        var beforeStart = plan.Publications.Count / 10;
        var firstPart = plan.Publications.Count * 4 / 10;
        var secondPart = plan.Publications.Count * 7 / 10;
        await publisher.PublishAsync(plan.Publications.Take(beforeStart));

        var first = await environment.StartInstanceAsync(Service, "dp-a", Settings);
        await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using var firstApi = new DataPlatformApi(first.BaseAddress);

        // A crash in mid-stream: part of the log published and partly applied when the reader is killed.
        await publisher.PublishAsync(plan.Publications.Skip(beforeStart).Take(firstPart - beforeStart));
        await Poll.UntilAsync(async _ => await firstApi.EventsIngestedAsync() > 0, TimeSpan.FromSeconds(60), "the first instance to ingest");
        var beforeCrash = await firstApi.EventsIngestedAsync();
        await first.KillAsync();
        environment.Log.Write($"[test] killed dp-a after {beforeCrash} events ingested ({firstPart} published)");

        // Published while no instance runs: the topics keep it.
        await publisher.PublishAsync(plan.Publications.Skip(firstPart).Take(secondPart - firstPart));
        var survivors = await Task.WhenAll(
            environment.StartInstanceAsync(Service, "dp-b", Settings), environment.StartInstanceAsync(Service, "dp-c", Settings));
        await Task.WhenAll(survivors.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
        await publisher.PublishAsync(plan.Publications.Skip(secondPart));
        environment.Log.Write($"[test] published {plan.Publications.Count} ({plan.Distinct.Count} distinct) in {clock.Elapsed.TotalSeconds:0.0} s");

        using var api = new DataPlatformApi(survivors[1].BaseAddress);
        try
        {
            await Poll.UntilAsync(async _ => await api.EventsIngestedAsync() >= expected.EventsIngested, TimeSpan.FromSeconds(120),
                $"{expected.EventsIngested} events to be ingested");
        }
        catch (TimeoutException)
        {
            // Tells a stuck reader (records left unread) from lost events (positions at the end, events missing).
            environment.Log.Write($"[test] {await api.EventsIngestedAsync()} events ingested; the ingest's positions: " +
                string.Join(", ", (await api.ConsumersAsync()).Select(c => c.GetRawText())));
            throw;
        }

        environment.Log.Write($"[test] all ingested {clock.Elapsed.TotalSeconds:0.0} s after the start");
        using (var other = new DataPlatformApi(survivors[0].BaseAddress))
            await AssertNoLagAsync(environment, [other, api]);

        var live = await api.StatsAsync();
        AssertStats(expected, live, await api.TopProductsAsync(1000));
        await AssertEventLogAsync(plan, api, environment.Messaging);
        Assert.Empty((await api.DeadLettersAsync()).EnumerateArray());

        // Replay from the partitions' first offsets: every copy published is read, each message counted once.
        for (var round = 1; round <= 2; round++)
        {
            var replay = await api.ReplayAsync(TimeSpan.FromSeconds(90));
            environment.Log.Write($"[test] replay {round}: {replay}");
            Assert.Equal("Completed", replay.GetProperty("status").GetString());
            Assert.Equal(plan.Publications.Count, replay.GetProperty("recordsRead").GetInt64());
            Assert.Equal(expected.EventsIngested, replay.GetProperty("eventsReplayed").GetInt64());
            Assert.Equal(live.GetRawText(), (await api.StatsAsync()).GetRawText());
            AssertStats(expected, await api.StatsAsync(), await api.TopProductsAsync(1000));
        }

        environment.Log.Write($"[test] done in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Both instances report the ingest's lag per partition of every domain topic as 0, its position at the partition's
    /// end, and the same instance reading the log. Polled: the lease (3 s here) may change hands on a loaded machine, and
    /// between two requests the report may name no reader or another one.</summary>
    static async Task AssertNoLagAsync(ServiceEnvironment environment, IReadOnlyList<DataPlatformApi> apis)
    {
        var partitions = TopicCatalog.All.Where(t => !t.IsCommandChannel).Sum(t => environment.Messaging.PartitionsOf(t.Name));
        var seen = string.Empty;
        try
        {
            await Poll.UntilAsync(async _ =>
            {
                var reports = await Task.WhenAll(apis.Select(a => a.ConsumersAsync()));
                seen = string.Join(" | ", reports.Select(rows => string.Join(", ", rows.Select(r => r.GetRawText()))));
                return reports.All(rows => rows.Count == partitions && rows.All(row =>
                           row.GetProperty("group").GetString() == "data-platform.ingest"
                           && row.GetProperty("ready").GetInt64() == 0
                           && row.GetProperty("consumers").GetInt64() == 1
                           && (row.GetProperty("endOffset").GetInt64() is var end && end == 0
                               || row.GetProperty("committed").GetInt64() == end)))
                       && reports.SelectMany(rows => rows).Select(row => row.GetProperty("owner").GetString()).Distinct().Count() == 1;
            }, TimeSpan.FromSeconds(30), "/ops/consumers on both instances to show lag 0 and one reader on every partition");
        }
        catch (TimeoutException)
        {
            environment.Log.Write($"[test] /ops/consumers last said: {seen}");
            throw;
        }
    }

    static void AssertStats(ExpectedStats expected, JsonElement stats, JsonElement top)
    {
        Assert.Equal(expected.EventsIngested, stats.GetProperty("eventsIngested").GetInt64());
        Assert.Equal(expected.CompletedOrders, stats.GetProperty("completedOrders").GetInt64());
        Assert.Equal(expected.Revenue, stats.GetProperty("revenue").GetDecimal());
        Assert.Equal(expected.CouponsIssued, stats.GetProperty("couponsIssued").GetInt64());
        Assert.Equal(expected.BalanceCharged, stats.GetProperty("balanceCharged").GetDecimal());

        var products = top.EnumerateArray().ToList();
        Assert.Equal(expected.Products.Count, products.Count);
        foreach (var product in products)
        {
            var (quantity, revenue) = expected.Products[product.GetProperty("productId").GetGuid()];
            Assert.Equal(quantity, product.GetProperty("quantity").GetInt64());
            Assert.Equal(revenue, product.GetProperty("revenue").GetDecimal());
        }

        var quantities = products.Select(p => p.GetProperty("quantity").GetInt64()).ToList();
        Assert.Equal(quantities.OrderDescending(), quantities);
    }

    /// <summary>Each event once, on its topic, with its record key (the partition key; none on the unkeyed order-completed) and
    /// the partition it was read from: a keyed event's is the one its key hashes to, so every key of a topic is in one
    /// partition.</summary>
    static async Task AssertEventLogAsync(EventPlan plan, DataPlatformApi api, MessagingOptions messaging)
    {
        var log = await api.AllEventsAsync();
        Assert.Equal(plan.Distinct.Count, log.Count);
        var byId = log.ToDictionary(e => e.GetProperty("messageId").GetGuid());
        foreach (var planned in plan.Distinct)
        {
            var entry = byId[planned.MessageId];
            var descriptor = MessageCatalog.Describe(planned.Message.GetType());
            var partitions = messaging.PartitionsOf(descriptor.Topic.Name);
            Assert.Equal(descriptor.Topic.Name, entry.GetProperty("topic").GetString());
            Assert.Equal(planned.Message.GetType().Name, entry.GetProperty("messageType").GetString());
            var key = descriptor.PartitionKeyOf(planned.Message);
            Assert.Equal(key, entry.GetProperty("key").GetString());
            var partition = entry.GetProperty("partition").GetInt32();
            if (key is null)
                Assert.InRange(partition, 0, partitions - 1);
            else
                Assert.Equal(KeyPartitioner.PartitionOf(key, partitions), partition);
        }

        var sequences = log.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        var keyPartitions = log.Where(e => e.GetProperty("key").ValueKind == JsonValueKind.String)
            .GroupBy(e => (Topic: e.GetProperty("topic").GetString(), Key: e.GetProperty("key").GetString()))
            .Where(g => g.Select(e => e.GetProperty("partition").GetInt32()).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToList();
        Assert.Empty(keyPartitions);
    }
}
