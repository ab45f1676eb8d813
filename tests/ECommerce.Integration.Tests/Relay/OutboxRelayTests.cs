using System.Diagnostics;
using System.Text.Json;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using ECommerce.Testing.Infrastructure;
using ECommerce.Testing.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>The relay on Kafka produces a whole batch at once through one idempotent producer and deletes the rows on their
/// delivery reports, overlapping the next batch. Hot keys (thousands of rows for one key, several batches of them) must still
/// land on their key's partition in sequence, each row exactly once, as the row's message id and in the row's trace; and a
/// MassTransit consumer on the rider must get them so.</summary>
public sealed class OutboxRelayTests(ITestOutputHelper output)
{
    const int HotKeys = 3;
    const int HotRows = 4_000;
    const int ColdKeys = 40;
    const int ColdRowsPerKey = 10;
    const int Rows = HotRows + ColdKeys * ColdRowsPerKey;
    const int RowsPerCommit = 500;

    [Fact]
    public async Task Batches_keep_each_key_in_sequence_once_each_with_the_rows_ids_and_traces()
    {
        using var traces = new TraceListener();
        await using var environment = await TestEnvironment.CreateAsync("relay", DatabaseKind.Sqlite, output);
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var producerDatabase = await environment.CreateDatabaseAsync(TestServices.Producer);

        var ledgerBuilder = TestServices.LedgerBuilder(environment, ledgerDatabase, TestServices.Consume<RecordingChargeConsumer>(Topics.BalanceActivity));
        ledgerBuilder.Services.AddSingleton<ConsumedLog>();
        await using var ledger = await TestServices.StartLedgerAsync(environment, ledgerBuilder.Build(), Topics.BalanceActivity);

        // The whole backlog is committed before the relay starts, so its batches (1,000 rows) are mostly hot keys.
        using var producerHost = TestServices.ProducerBuilder(environment, producerDatabase).Build();
        await CommitAsync(producerHost.Services);
        // Read before the relay starts: it deletes each row once its record is acknowledged.
        var rows = await producerHost.QueryAsync<ProducerDbContext, List<OutboxMessage>>(db => db.OutboxMessages.AsNoTracking().ToListAsync());
        Assert.Equal(Rows, rows.Count);
        var clock = Stopwatch.StartNew();
        await using var producer = await RunningHost.StartAsync(producerHost);

        var log = ledger.Services.GetRequiredService<ConsumedLog>();
        await Poll.UntilAsync(async _ => (await OutboxWriter.PendingAsync(producer.Services)).Count == 0, TimeSpan.FromSeconds(120),
            "every outbox row to be produced and deleted");
        environment.Log.Write($"{Rows} rows relayed in {clock.Elapsed.TotalSeconds:0.0}s");
        await Poll.UntilAsync(() => log.Count >= Rows, TimeSpan.FromSeconds(120), $"{Rows} charges to be consumed");
        environment.Log.Write($"{Rows} rows relayed and consumed in {clock.Elapsed.TotalSeconds:0.0}s");

        var byId = rows.ToDictionary(r => r.Id);
        var chargeOf = rows.ToDictionary(r => r.Id, r => JsonSerializer.Deserialize<BalanceCharged>(r.Body, MessageJson.Options)!);
        var partitions = environment.Messaging.PartitionsOf(Topics.BalanceActivity);

        // On the topic: every row once, as a record keyed by its partition key on the partition murmur2 picks for that key,
        // with the row id as its message id, the row's trace continued in its envelope, each key's rows in sequence order.
        var records = await TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.BalanceActivity, environment.Messaging);
        Assert.Equal(Rows, records.Count);
        Assert.Equal(rows.Select(r => r.Id).Order(), records.Select(r => r.MessageId!.Value).Order());
        foreach (var record in records)
        {
            var row = byId[record.MessageId!.Value];
            Assert.Equal(row.PartitionKey, record.Key);
            Assert.Equal(KeyPartitioner.PartitionOf(record.Key!, partitions), record.Partition);
            Assert.Equal(typeof(BalanceCharged).FullName, record.MessageType);
            using var envelope = JsonDocument.Parse(record.Value);
            Assert.Equal(row.Id, envelope.RootElement.GetProperty("messageId").GetGuid());
            var activity = envelope.RootElement.GetProperty("headers").GetProperty(KafkaHeaders.ActivityId).GetString()!;
            Assert.Equal(TraceOf(row), ActivityContext.Parse(activity, null).TraceId);
        }

        foreach (var key in records.GroupBy(r => r.Key))
        {
            Assert.Single(key.Select(r => r.Partition).Distinct());
            Assert.Equal(Sequences(key.Key!), key.OrderBy(r => r.Offset).Select(r => chargeOf[r.MessageId!.Value].Sequence));
        }

        // At the consumer: exactly once, as the same message, each key in sequence, in the trace of the transaction that wrote
        // the row.
        var consumed = log.Snapshot();
        Assert.Equal(Rows, consumed.Count);
        Assert.Equal(Rows, consumed.Select(c => c.MessageId).Distinct().Count());
        Assert.All(consumed, c => Assert.True(c.MessageId is { } id && byId.ContainsKey(id), $"unknown message id {c.MessageId}"));
        foreach (var key in consumed.GroupBy(c => c.UserId))
            Assert.Equal(Sequences(key.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)), key.Select(c => c.Sequence));
        Assert.All(consumed, c => Assert.Equal(TraceOf(byId[c.MessageId!.Value]), c.TraceId));
    }

    /// <summary>The rows, as a balance service writes them: hot keys 1–3 take most of every commit, forty cold keys the rest;
    /// each key's charges numbered 1, 2, 3, … in commit order, each commit in a trace of its own.</summary>
    static async Task CommitAsync(IServiceProvider services)
    {
        using var source = new ActivitySource("integration-test");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "integration-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var sequences = new Dictionary<long, long>();
        var charges = Enumerable.Range(0, Rows).Select(i => i < HotRows ? 1 + (i % HotKeys) : 100 + (i % ColdKeys))
            .Select(user => (User: (long)user, Sequence: sequences[user] = sequences.GetValueOrDefault(user) + 1)).ToList();
        await using (var scope = services.CreateAsyncScope())
        {
            // The schema is normally created by a hosted service when the host starts; the host has not started yet.
            await SchemaSynchronizer.SynchronizeAsync(scope.ServiceProvider.GetRequiredService<ProducerDbContext>(), CancellationToken.None);
        }

        foreach (var chunk in charges.Chunk(RowsPerCommit))
        {
            using var activity = source.StartActivity("commit charges");
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ProducerDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            foreach (var (user, sequence) in chunk)
                outbox.Add(new BalanceCharged(Guid.NewGuid(), user, 1m, sequence, sequence, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }
    }

    /// <summary>The sequence numbers a key's rows carry, in order: 1 … its row count.</summary>
    static IEnumerable<long> Sequences(string key)
    {
        var user = long.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
        var count = user <= HotKeys ? HotRows / HotKeys + (user <= HotRows % HotKeys ? 1 : 0) : ColdRowsPerKey;
        return Enumerable.Range(1, count).Select(i => (long)i);
    }

    static ActivityTraceId TraceOf(OutboxMessage row) => ActivityContext.Parse(row.TraceParent!, null).TraceId;
}
