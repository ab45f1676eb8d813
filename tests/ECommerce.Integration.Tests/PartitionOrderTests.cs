using System.Diagnostics;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.TestHost.Sequencing;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>Kafka's promise of order per key across a consumer group's instances: two instances of one group (child processes)
/// share the partitions of <c>balance-activity</c>, one is killed with SIGKILL mid-stream, and once the broker has given up
/// on its session the group protocol moves its partitions to the survivor, which resumes each from its last committed
/// offset. Every user's charges must still be applied as 1, 2, 3, … each exactly once, and every partition's records in
/// log order.</summary>
public sealed class PartitionOrderTests(ITestOutputHelper output)
{
    const int Keys = 50;
    const int PerKey = 60;
    const int Total = Keys * PerKey;

    [Theory]
    [InlineData(DatabaseKind.PostgreSql)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task Per_key_order_and_exactly_once_hold_when_an_instance_is_killed_mid_stream(DatabaseKind database)
    {
        await using var environment = await TestEnvironment.CreateAsync("order", database, output);
        var groupDatabase = await environment.CreateDatabaseAsync(SequencingExtensions.ServiceName);
        var producerDatabase = await environment.CreateDatabaseAsync(TestServices.Producer);

        var names = new[] { "a", "b" };
        var instances = names.Select(name =>
        {
            var settings = environment.Configuration(SequencingExtensions.ServiceName, groupDatabase);
            settings["Sequencing:Instance"] = name;
            return ConsumerProcess.Start($"{environment.Name}/{name}", TestEnvironment.AsEnvironment(settings), environment.Log);
        }).ToArray();
        try
        {
            // Both instances are members of the group and together own every partition.
            await environment.Groups.WaitForAssignmentAsync(SequencingExtensions.Group, Topics.BalanceActivity, members: 2, TimeSpan.FromSeconds(90));
            // Both own some of them (the test node's range assignor splits each topic: two partitions each), so both apply
            // records and the victim has partitions to hand over. The group protocol is asynchronous: wait for the split.
            await Poll.UntilAsync(async _ => await environment.Groups.OwnersOfAsync(SequencingExtensions.Group, Topics.BalanceActivity) == 2,
                TimeSpan.FromSeconds(60), "both instances to own partitions of balance-activity");
            environment.Log.Write($"members before production: {await environment.Groups.DescribeAsync(SequencingExtensions.Group, Topics.BalanceActivity)}");

            await using var producer = await RunningHost.StartAsync(TestServices.ProducerBuilder(environment, producerDatabase).Build());
            var clock = Stopwatch.StartNew();
            var production = ProduceAsync(producer.Services);

            // Mid-stream: a good part applied, most still to come.
            await Poll.UntilAsync(async _ => await AppliedAsync(groupDatabase) >= Total * 3 / 10, TimeSpan.FromSeconds(120),
                "30% of the messages to be applied");
            var pairs = await ReadAsync(groupDatabase, db => db.Applied.Select(a => new { a.Partition, a.Instance }).Distinct().ToListAsync());
            var owners = pairs.GroupBy(p => p.Partition).OrderBy(g => g.Key)
                .Select(g => new { Partition = g.Key, Instances = g.Select(p => p.Instance).Order(StringComparer.Ordinal).ToList() }).ToList();
            environment.Log.Write($"partitions applied before the kill: {string.Join(", ", owners.Select(o => $"{o.Partition}={string.Join("+", o.Instances)}"))}");

            // Both instances were applying records; kill b.
            Assert.Equal(names, owners.SelectMany(o => o.Instances).Distinct().Order(StringComparer.Ordinal));
            const int victim = 1;
            var victimPartitions = owners.Where(o => o.Instances.Contains(names[victim])).Select(o => o.Partition).ToHashSet();
            await instances[victim].KillAsync();
            var positionAtKill = await ReadAsync(groupDatabase, db => db.Applied.MaxAsync(a => a.Position));
            environment.Log.Write($"killed {names[victim]} (pid {instances[victim].Pid}) at {clock.Elapsed.TotalSeconds:0.0}s after " +
                $"{positionAtKill} applications; it owned partitions {string.Join(", ", victimPartitions)}");

            await production;
            await Poll.UntilAsync(async _ => await AppliedAsync(groupDatabase) >= Total, TimeSpan.FromSeconds(180),
                $"all {Total} messages to be applied");
            // Nothing left behind: the group has committed every partition to its end.
            await Poll.UntilAsync(_ => environment.Groups.CaughtUpAsync(SequencingExtensions.Group, Topics.BalanceActivity),
                TimeSpan.FromSeconds(30), "the group to commit every partition to its end");
            environment.Log.Write($"all {Total} applied {clock.Elapsed.TotalSeconds:0.0}s after production started");

            await using var db = DatabaseContexts.Open<SequenceDbContext>(groupDatabase, o => new SequenceDbContext(o));
            var violations = await db.Progress.SumAsync(p => p.Violations);
            var applied = await db.Applied.AsNoTracking().OrderBy(a => a.Position).ToListAsync();
            var repeated = applied.GroupBy(a => new { a.Key, a.Sequence }).Count(g => g.Count() > 1);
            var incompleteKeys = await db.Progress.CountAsync(p => p.LastSequence != PerKey);
            var keys = await db.Progress.CountAsync();
            var inbox = await db.InboxMessages.CountAsync();
            var deadLetters = await db.DeadLetters.CountAsync();
            var takenOver = applied.Where(a => a.Position > positionAtKill && a.Instance != names[victim]).Select(a => a.Partition).Distinct().Order().ToList();
            environment.Log.Write($"after the kill the survivor applied from partitions {string.Join(", ", takenOver)}");

            Assert.Equal(0, violations);
            Assert.Equal(Total, applied.Count);
            Assert.Equal(Total, applied.Select(a => a.MessageId).Distinct().Count());
            Assert.Equal(0, repeated);
            Assert.Equal(Keys, keys);
            Assert.Equal(0, incompleteKeys);
            Assert.Equal(Total, inbox);
            Assert.Equal(0, deadLetters);
            // Every record came from the topic itself (none needed a retry topic), and each partition's records were applied
            // in log order, whichever instance applied them.
            Assert.All(applied, a => Assert.Equal(Topics.BalanceActivity, a.Topic));
            foreach (var partition in applied.GroupBy(a => a.Partition))
            {
                var offsets = partition.Select(a => a.Offset).ToList();
                Assert.True(offsets.Zip(offsets.Skip(1)).All(p => p.First < p.Second), $"partition {partition.Key} was applied out of log order");
            }

            // The failover really happened: partitions the victim was consuming were finished by the survivor.
            Assert.Contains(takenOver, victimPartitions.Contains);
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
