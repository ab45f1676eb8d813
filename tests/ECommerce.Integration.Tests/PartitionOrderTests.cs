using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.TestHost.Sequencing;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>Kafka's promise of order per key, kept on RabbitMQ by keyed partitions with single-active-consumer queues: two
/// instances of one consumer group split the partitions, one is killed with SIGKILL mid-stream, and the survivor's standby
/// subscriptions take its partitions over. Every user's charges must still be applied as 1, 2, 3, … each exactly once.</summary>
public sealed class PartitionOrderTests(ITestOutputHelper output)
{
    const int Keys = 50;
    const int PerKey = 100;
    const int Total = Keys * PerKey;
    const int Partitions = 4;

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Per_key_order_and_exactly_once_hold_when_an_instance_is_killed_mid_stream(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("order", database, output, o =>
        {
            o.DefaultPartitions = Partitions;
            o.InstanceCount = 2;
            // Long enough for both instances to take their own share before either stands by for the other's.
            o.StandbyDelay = TimeSpan.FromSeconds(3);
        });
        var groupDatabase = await environment.CreateDatabaseAsync(SequencingExtensions.ServiceName);
        var producerDatabase = await environment.CreateDatabaseAsync(TestServices.Producer);
        var queues = Queues.Of(SequencingExtensions.Group, Topics.BalanceActivity, environment.Messaging);

        var names = new[] { "a", "b" };
        var instances = names.Select((name, ordinal) =>
        {
            var settings = environment.Configuration(SequencingExtensions.ServiceName, groupDatabase, o => o.InstanceOrdinal = ordinal);
            settings["Sequencing:Instance"] = name;
            return ConsumerProcess.Start(name, TestEnvironment.AsEnvironment(settings), environment.Log);
        }).ToArray();
        try
        {
            await using var probe = await BrokerProbe.ConnectAsync(environment.BrokerUri);
            // Every partition queue has both instances on it: its owner, and the other instance standing by.
            await Queues.WaitForConsumersAsync(probe, queues, consumers: 2);

            await using var producer = await RunningHost.StartAsync(TestServices.ProducerBuilder(environment, producerDatabase).Build());
            var clock = Stopwatch.StartNew();
            var production = ProduceAsync(producer.Services);

            // Mid-stream: a good part applied, most still to come.
            await Poll.UntilAsync(async _ => await AppliedAsync(groupDatabase) >= Total * 3 / 10, TimeSpan.FromSeconds(120),
                "30% of the messages to be applied");
            var pairs = await ReadAsync(groupDatabase, db => db.Applied.Select(a => new { a.Queue, a.Instance }).Distinct().ToListAsync());
            var owners = pairs.GroupBy(p => p.Queue).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new { Queue = g.Key, Instances = g.Select(p => p.Instance).Order(StringComparer.Ordinal).ToList() }).ToList();
            environment.Log.Write($"partition owners before the kill: {string.Join(", ", owners.Select(o => $"{o.Queue}={string.Join("+", o.Instances)}"))}");

            // Kill an instance that is actively consuming some partitions ("b" unless "a" owns everything).
            var victim = owners.Any(o => o.Instances.Contains("b")) ? 1 : 0;
            var victimQueues = owners.Where(o => o.Instances.Contains(names[victim])).Select(o => o.Queue).ToHashSet();
            await instances[victim].KillAsync();
            var positionAtKill = await ReadAsync(groupDatabase, db => db.Applied.MaxAsync(a => a.Position));
            environment.Log.Write($"killed {names[victim]} (pid {instances[victim].Pid}) at {clock.Elapsed.TotalSeconds:0.0}s after " +
                $"{positionAtKill} applications; it owned {string.Join(", ", victimQueues)}");

            await production;
            await Poll.UntilAsync(async _ => await AppliedAsync(groupDatabase) >= Total, TimeSpan.FromSeconds(180),
                $"all {Total} messages to be applied");
            // Nothing left behind: partitions drained, nothing faulted.
            await Poll.UntilAsync(_ => Queues.DrainedAsync(probe, queues), TimeSpan.FromSeconds(30), "the partition queues to drain");
            environment.Log.Write($"all {Total} applied {clock.Elapsed.TotalSeconds:0.0}s after production started");

            await using var db = DatabaseContexts.Open<SequenceDbContext>(groupDatabase, o => new SequenceDbContext(o));
            var violations = await db.Progress.SumAsync(p => p.Violations);
            var applied = await db.Applied.CountAsync();
            var distinctMessages = await db.Applied.Select(a => a.MessageId).Distinct().CountAsync();
            var repeated = await db.Applied.GroupBy(a => new { a.Key, a.Sequence }).CountAsync(g => g.Count() > 1);
            var incompleteKeys = await db.Progress.CountAsync(p => p.LastSequence != PerKey);
            var keys = await db.Progress.CountAsync();
            var inbox = await db.InboxMessages.CountAsync();
            var deadLetters = await db.DeadLetters.CountAsync();
            var takenOver = await db.Applied.Where(a => a.Position > positionAtKill && a.Instance != names[victim])
                .Select(a => a.Queue).Distinct().ToListAsync();
            var redelivered = await db.Applied.CountAsync(a => a.Redelivered);
            environment.Log.Write($"after the kill the survivor applied from {string.Join(", ", takenOver)}; {redelivered} applications were redeliveries");

            Assert.Equal(0, violations);
            Assert.Equal(Total, applied);
            Assert.Equal(Total, distinctMessages);
            Assert.Equal(0, repeated);
            Assert.Equal(Keys, keys);
            Assert.Equal(0, incompleteKeys);
            Assert.Equal(Total, inbox);
            Assert.Equal(0, deadLetters);
            // The failover really happened: partitions the victim was consuming were finished by the survivor.
            Assert.Contains(takenOver, victimQueues.Contains);
        }
        finally
        {
            foreach (var instance in instances)
                await instance.DisposeAsync();
        }
    }

    /// <summary>Writes the charges through the outbox in the order a balance service would: each commit holds the next charge
    /// of every user, so the keys interleave and each key's sequence rises by one per commit.</summary>
    static async Task ProduceAsync(IServiceProvider services)
    {
        var now = DateTimeOffset.UtcNow;
        for (var sequence = 1; sequence <= PerKey; sequence++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ProducerDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            for (var user = 1; user <= Keys; user++)
                outbox.Add(new BalanceCharged(Guid.NewGuid(), user, 10m, 10m * sequence, sequence, now));
            await db.SaveChangesAsync();
        }
    }

    static Task<int> AppliedAsync(string connectionString) => ReadAsync(connectionString, db => db.Applied.CountAsync());

    static async Task<T> ReadAsync<T>(string connectionString, Func<SequenceDbContext, Task<T>> query)
    {
        await using var db = DatabaseContexts.Open<SequenceDbContext>(connectionString, o => new SequenceDbContext(o));
        return await query(db);
    }
}
