extern alias dataplatform;

using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Component.Tests.Contracts;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace ECommerce.Component.Tests.DataPlatform;

/// <summary>The ingest of log batches: each event stored once per message id, the projections moved in the same transaction
/// (so a duplicate changes nothing), poison records kept as dead letters, partition offsets advanced.</summary>
public sealed class DataPlatformIngestTests
{
    static readonly Uri Stats = new("/api/stats", UriKind.Relative);

    [Fact]
    public async Task Every_domain_event_is_stored_once_per_message_id_with_its_topic_partition_and_key()
    {
        await using var host = await DataPlatformHost.StartAsync();
        var events = MessageCatalog.ContractTypes
            .Where(t => !MessageCatalog.Describe(t).Topic.IsCommandChannel)
            .Select(t => (Message: CanonicalInstances.Create(t), Id: NewId.NextGuid()))
            .ToList();

        // Twice in one batch, then again in a later batch: only the first copy counts.
        var added = await host.ApplyAsync(events.SelectMany(e => new[] { host.Record(e.Message, e.Id), host.Record(e.Message, e.Id) }).ToArray());
        var addedAgain = await host.ApplyAsync(events.Select(e => host.Record(e.Message, e.Id)).ToArray());

        Assert.Equal(events.Count, added);
        Assert.Equal(0, addedAgain);
        var log = (await host.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/events?limit=1000", UriKind.Relative))).EnumerateArray().ToList();
        Assert.Equal(events.Count, log.Count);
        foreach (var (message, id) in events)
        {
            var entry = Assert.Single(log, e => e.GetProperty("messageId").GetGuid() == id);
            var descriptor = MessageCatalog.Describe(message.GetType());
            Assert.Equal(descriptor.Topic.Name, entry.GetProperty("topic").GetString());
            Assert.Equal(message.GetType().Name, entry.GetProperty("messageType").GetString());
            Assert.Equal(descriptor.PartitionKeyOf(message), entry.GetProperty("key").GetString());
            // Every Kafka record has a partition, on an unkeyed topic too; only a keyed one has a key.
            Assert.Equal(0, entry.GetProperty("partition").GetInt32());
        }

        Assert.Equal(TopicCatalog.All.Where(t => !t.IsCommandChannel).Select(t => t.Name).Order(StringComparer.Ordinal),
            log.Select(e => e.GetProperty("topic").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(events.Count, (await host.Client.GetFromJsonAsync<JsonElement>(Stats)).GetProperty("eventsIngested").GetInt64());
    }

    [Fact]
    public async Task Projections_count_completed_orders_revenue_coupons_charges_and_products_once_per_event()
    {
        await using var host = await DataPlatformHost.StartAsync();
        var (apple, pear) = (Guid.NewGuid(), Guid.NewGuid());
        var at = DateTimeOffset.UtcNow;
        var first = new OrderCompleted(Guid.NewGuid(), 1, [new OrderLine(apple, 2, 1.25m, 2.50m), new OrderLine(pear, 1, 10m, 10m)], 12.50m, 2m, 10.50m,
            Guid.NewGuid(), at);
        var second = new OrderCompleted(Guid.NewGuid(), 2, [new OrderLine(apple, 3, 1.25m, 3.75m)], 3.75m, 0m, 3.75m, null, at);
        var (firstId, secondId, issuedId, chargedId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var issued = new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), 1, Guid.NewGuid(), 9, at);
        var charged = new BalanceCharged(Guid.NewGuid(), 1, 100.01m, 100.01m, 1, at);

        await host.ApplyAsync(host.Record(first, firstId), host.Record(issued, issuedId), host.Record(first, firstId));
        await host.ApplyAsync(host.Record(second, secondId), host.Record(charged, chargedId), host.Record(issued, issuedId), host.Record(charged, chargedId));

        var stats = await host.Client.GetFromJsonAsync<JsonElement>(Stats);
        Assert.Equal(2, stats.GetProperty("completedOrders").GetInt64());
        Assert.Equal(14.25m, stats.GetProperty("revenue").GetDecimal());
        Assert.Equal(1, stats.GetProperty("couponsIssued").GetInt64());
        Assert.Equal(100.01m, stats.GetProperty("balanceCharged").GetDecimal());
        Assert.Equal(4, stats.GetProperty("eventsIngested").GetInt64());

        var byQuantity = await TopAsync(host, "/api/stats/products/top");
        Assert.Equal([(apple, 5L, 6.25m), (pear, 1L, 10m)], byQuantity);
        var byRevenue = await TopAsync(host, "/api/stats/products/top?by=revenue&limit=1");
        Assert.Equal([(pear, 1L, 10m)], byRevenue);
    }

    [Fact]
    public async Task A_poison_record_becomes_a_dead_letter_and_every_partition_offset_advances()
    {
        await using var host = await DataPlatformHost.StartAsync();
        var issued = host.Record(new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), 1, Guid.NewGuid(), 1, DateTimeOffset.UtcNow), Guid.NewGuid());
        var poison = host.Poison(Topics.OrderCompleted);

        Assert.Equal(1, await host.ApplyAsync(issued, poison));

        var deadLetters = (await host.Client.GetFromJsonAsync<JsonElement>(new Uri("/ops/dead-letters", UriKind.Relative))).EnumerateArray().ToList();
        Assert.Equal(poison.Partition.Name, Assert.Single(deadLetters).GetProperty("queue").GetString());
        var offsets = await host.QueryAsync(db => db.PartitionOffsets.ToDictionaryAsync(o => $"{o.Topic}/{o.Partition}", o => o.Offset));
        Assert.Equal(issued.Offset, offsets[issued.Partition.Name]);
        Assert.Equal(poison.Offset, offsets[poison.Partition.Name]);
        Assert.Equal(1, (await host.Client.GetFromJsonAsync<JsonElement>(Stats)).GetProperty("eventsIngested").GetInt64());
    }

    [Fact]
    public async Task A_batch_of_many_statements_stores_every_event_with_its_own_values()
    {
        // 53 events, each with a send time and offset of its own, so that a value bound to the wrong row shows: on SQLite (this
        // host) one prepared statement runs once per event with the event's parameters; on PostgreSQL the rows go in
        // multi-row statements of 200, which the data platform's PostgreSQL integration test covers. (Running one PostgreSQL
        // command again with the next chunk's values, tried for speed, lost rows there.)
        await using var host = await DataPlatformHost.StartAsync();
        var start = new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);
        var items = Enumerable.Range(0, 53)
            .Select(i => host.Record(new BalanceCharged(Guid.NewGuid(), i + 1, 1m, 1m, i, start), Guid.NewGuid()))
            .Select((item, i) => item with { Record = item.Record! with { SentAt = start.AddSeconds(i) } })
            .ToArray();

        Assert.Equal(items.Length, await host.ApplyAsync(items));

        var stored = await host.QueryAsync(db => db.Events.AsNoTracking().ToDictionaryAsync(e => e.MessageId));
        Assert.Equal(items.Length, stored.Count);
        foreach (var item in items)
        {
            var row = stored[item.Record!.MessageId];
            Assert.Equal(item.Offset, row.Offset);
            Assert.Equal(item.Record.SentAt, row.SentAt);
            Assert.Equal(item.Record.Key, row.PartitionKey);
        }
    }

    [Fact]
    public async Task Events_page_after_the_last_sequence_seen_and_filter_by_topic()
    {
        await using var host = await DataPlatformHost.StartAsync();
        var at = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, 25).Select(i => i % 2 == 0
            ? host.Record(new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), i + 1, Guid.NewGuid(), i, at), Guid.NewGuid())
            : host.Record(new BalanceCharged(Guid.NewGuid(), i + 1, 1m, 1m, i, at), Guid.NewGuid())).ToArray();
        await host.ApplyAsync(items);

        var seen = new List<Guid>();
        var after = 0L;
        while (true)
        {
            var page = (await host.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/events?topic=coupon-issue&limit=5&after={after}", UriKind.Relative)))
                .EnumerateArray().ToList();
            if (page.Count == 0)
                break;
            Assert.True(page.Count <= 5);
            Assert.All(page, e => Assert.Equal("coupon-issue", e.GetProperty("topic").GetString()));
            seen.AddRange(page.Select(e => e.GetProperty("messageId").GetGuid()));
            after = page[^1].GetProperty("sequence").GetInt64();
        }

        Assert.Equal(items.Where(i => i.Partition.Topic == Topics.CouponIssue).Select(i => i.Record!.MessageId), seen);
    }

    static async Task<List<(Guid, long, decimal)>> TopAsync(DataPlatformHost host, string uri) =>
        (await host.Client.GetFromJsonAsync<JsonElement>(new Uri(uri, UriKind.Relative))).EnumerateArray()
        .Select(p => (p.GetProperty("productId").GetGuid(), p.GetProperty("quantity").GetInt64(), p.GetProperty("revenue").GetDecimal()))
        .ToList();
}
