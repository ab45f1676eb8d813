using ECommerce.ServiceDefaults.Messaging.Topology;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>The data platform on a real broker and database: thousands of mixed events over every domain topic, a tenth of them
/// published twice, while the instance reading the log is killed and two others take over. The projections must equal the
/// figures computed here from what was published, the event log must hold each event once with its topic, partition and key,
/// and a replay from the retained streams must give the same projections, twice.</summary>
public sealed class DataPlatformLogTests(ITestOutputHelper output)
{
    const string Service = "data-platform";

    static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal) { ["DataPlatform__LeaseDuration"] = "00:00:03" };

    [Theory]
    [InlineData(DatabaseKind.PostgreSql, 6000)]
    [InlineData(DatabaseKind.Sqlite, 4000)]
    public async Task Projections_equal_the_published_events_across_a_crash_and_replay_equals_live(DatabaseKind database, int events)
    {
        await using var environment = await ServiceEnvironment.CreateAsync("dataplatform", database, output);
        var plan = EventPlan.Create(events, 20261121);
        var expected = ExpectedStats.Of(plan.Distinct);
        var clock = Stopwatch.StartNew();

        // The retained log is part of the provisioned topology: what is published before the data platform ever ran is kept.
        await WaitForStreamsAsync(environment.BrokerUri);
        await using var publisher = await EventPublisher.StartAsync(environment.BrokerUri);
        var beforeStart = plan.Publications.Count / 10;
        var firstPart = plan.Publications.Count * 4 / 10;
        var secondPart = plan.Publications.Count * 7 / 10;
        await publisher.PublishAsync(plan.Publications.Take(beforeStart));

        var first = await environment.StartInstanceAsync(Service, "dp-a", 0, 1, Settings);
        await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using var firstApi = new DataPlatformApi(first.BaseAddress);

        // A crash in mid-stream: part of the log published and partly applied when the reader is killed.
        await publisher.PublishAsync(plan.Publications.Skip(beforeStart).Take(firstPart - beforeStart));
        await Poll.UntilAsync(async _ => await firstApi.EventsIngestedAsync() > 0, TimeSpan.FromSeconds(60), "the first instance to ingest");
        var beforeCrash = await firstApi.EventsIngestedAsync();
        await first.KillAsync();
        environment.Log.Write($"[test] killed dp-a after {beforeCrash} events ingested ({firstPart} published)");

        // Published while no instance runs: the streams keep it.
        await publisher.PublishAsync(plan.Publications.Skip(firstPart).Take(secondPart - firstPart));
        var survivors = await Task.WhenAll(
            environment.StartInstanceAsync(Service, "dp-b", 0, 2, Settings), environment.StartInstanceAsync(Service, "dp-c", 1, 2, Settings));
        await Task.WhenAll(survivors.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
        await publisher.PublishAsync(plan.Publications.Skip(secondPart));
        environment.Log.Write($"[test] published {plan.Publications.Count} ({plan.Distinct.Count} distinct) in {clock.Elapsed.TotalSeconds:0.0} s");

        using var api = new DataPlatformApi(survivors[1].BaseAddress);
        await Poll.UntilAsync(async _ => await api.EventsIngestedAsync() >= expected.EventsIngested, TimeSpan.FromSeconds(120),
            $"{expected.EventsIngested} events to be ingested");
        environment.Log.Write($"[test] all ingested {clock.Elapsed.TotalSeconds:0.0} s after the start");

        var live = await api.StatsAsync();
        AssertStats(expected, live, await api.TopProductsAsync(1000));
        await AssertEventLogAsync(plan, api);
        Assert.Empty((await api.DeadLettersAsync()).EnumerateArray());

        // Replay from the streams' first offsets: every copy published is read, each message counted once.
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

    /// <summary>Each event once, on its topic, with its partition key; every key of a topic in one partition, as the
    /// consistent-hash exchange routes it.</summary>
    static async Task AssertEventLogAsync(EventPlan plan, DataPlatformApi api)
    {
        var log = await api.AllEventsAsync();
        Assert.Equal(plan.Distinct.Count, log.Count);
        var byId = log.ToDictionary(e => e.GetProperty("messageId").GetGuid());
        foreach (var planned in plan.Distinct)
        {
            var entry = byId[planned.MessageId];
            var descriptor = MessageCatalog.Describe(planned.Message.GetType());
            Assert.Equal(descriptor.Topic.Name, entry.GetProperty("topic").GetString());
            Assert.Equal(planned.Message.GetType().Name, entry.GetProperty("messageType").GetString());
            Assert.Equal(descriptor.PartitionKeyOf(planned.Message), entry.GetProperty("key").GetString());
            var partition = entry.GetProperty("partition");
            if (descriptor.Topic.IsKeyed)
                Assert.InRange(partition.GetInt32(), 0, ServiceEnvironment.Messaging.PartitionsOf(descriptor.Topic.Name) - 1);
            else
                Assert.Equal(JsonValueKind.Null, partition.ValueKind);
        }

        var sequences = log.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        var keyPartitions = log.Where(e => e.GetProperty("partition").ValueKind == JsonValueKind.Number)
            .GroupBy(e => (Topic: e.GetProperty("topic").GetString(), Key: e.GetProperty("key").GetString()))
            .Where(g => g.Select(e => e.GetProperty("partition").GetInt32()).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToList();
        Assert.Empty(keyPartitions);
    }

    /// <summary>The streams exist once the topology is provisioned, before any service starts.</summary>
    static async Task WaitForStreamsAsync(Uri brokerUri)
    {
        var streams = TopicCatalog.All.Where(t => !t.IsCommandChannel)
            .SelectMany(t => t.IsKeyed
                ? Enumerable.Range(0, ServiceEnvironment.Messaging.PartitionsOf(t.Name))
                    .Select(p => TopologyNames.LogStream(t.Name, p))
                : [TopologyNames.LogStream(t.Name, null)])
            .ToList();
        var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "data-platform-test-probe" };
        var connection = await factory.CreateConnectionAsync();
        await using (connection)
        {
            await Poll.UntilAsync(async _ =>
            {
                foreach (var stream in streams)
                {
                    // A passive declare of a missing queue closes its channel: one channel per question.
                    var channel = await connection.CreateChannelAsync();
                    await using (channel)
                    {
                        try
                        {
                            await channel.QueueDeclarePassiveAsync(stream);
                        }
                        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                        {
                            return false;
                        }
                    }
                }

                return true;
            }, TimeSpan.FromSeconds(10), "the provisioned retained-log streams");
        }
    }
}
