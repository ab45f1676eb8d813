using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.TestHost.Sequencing;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ECommerce.Integration.Tests.Rebalance;

/// <summary>Instances of the sequencing group (the child-process test host's consumer: per-key order checked and every
/// application recorded with its log position) hosted in the test process, each counting every delivery it sees into a
/// <see cref="DeliveryLog"/> before the inbox does, so "delivered twice" and "applied twice" can be told apart.</summary>
public static class SequencingHosts
{
    /// <param name="settings">More configuration for this instance (its messaging options, for instance).</param>
    /// <param name="beforeDelivery">Awaited before each record is delivered (and counted in <paramref name="deliveries"/>),
    /// with the record's cancellation token: a test holds the instance's records there.</param>
    public static IHost Build(TestEnvironment environment, string database, string instance, DeliveryLog deliveries,
        IReadOnlyDictionary<string, string?>? settings = null, Func<CancellationToken, Task>? beforeDelivery = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configuration = environment.Configuration(SequencingExtensions.ServiceName, database);
        configuration["Sequencing:Instance"] = instance;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;
        var builder = InProcessHost.CreateBuilder($"{environment.Name}/{instance}", configuration, environment.Log);
        builder.AddSequencing((e, _) =>
        {
            if (beforeDelivery is not null)
                e.UseExecuteAsync(context => beforeDelivery(context.CancellationToken));
            e.UseFilter(new DeliveryCountingFilter(deliveries));
        });
        return builder.Build();
    }

    /// <summary>Produces rounds <paramref name="first"/> to <paramref name="last"/> of charges of users 1…<paramref name="keys"/>:
    /// in each round the next charge of every key, so keys interleave and each key's sequence is its round. Every record is
    /// handed to the producer in that order before any acknowledgement is awaited; the idempotent producer keeps a partition's
    /// records in the order given, so each key's charges land in sequence.</summary>
    public static async Task<IReadOnlyList<Guid>> ProduceRoundsAsync(TestEnvironment environment, int keys, int first, int last)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var ids = new List<Guid>();
        var acknowledgements = new List<Task>();
        for (var round = first; round <= last; round++)
        {
            for (var user = 1; user <= keys; user++)
            {
                var id = Guid.NewGuid();
                acknowledgements.Add(environment.Producer.ProduceAsync(new BalanceCharged(Guid.NewGuid(), user, 1m, round, round, DateTimeOffset.UtcNow), id));
                ids.Add(id);
            }
        }

        await Task.WhenAll(acknowledgements).ConfigureAwait(false);
        return ids;
    }

    public static async Task<T> ReadAsync<T>(string database, Func<SequenceDbContext, Task<T>> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var db = DatabaseContexts.Open<SequenceDbContext>(database, o => new SequenceDbContext(o));
        await using (db.ConfigureAwait(false))
            return await query(db).ConfigureAwait(false);
    }

    public static Task<int> AppliedAsync(string database) => ReadAsync(database, db => db.Applied.CountAsync());

    /// <summary>Waits until every record of the stopped <paramref name="stream"/> is applied and committed, then checks that each
    /// was applied exactly once, each key's sequence 1, 2, 3, … and each partition's log order with no offset skipped,
    /// whichever instance applied it. Returns what was applied, in application order.</summary>
    public static async Task<IReadOnlyList<AppliedMessage>> AssertAppliedOnceInOrderAsync(TestEnvironment environment, string database,
        BackloggedStream stream, DeliveryLog deliveries, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(deliveries);
        var produced = stream.Produced;
        await ECommerce.Testing.Infrastructure.Poll.UntilAsync(async _ => await AppliedAsync(database) >= produced.Count, timeout,
            $"all {produced.Count} records to be applied").ConfigureAwait(false);
        await WaitUntilCommittedAsync(environment, timeout).ConfigureAwait(false);
        environment.Log.Write($"{produced.Count} records in {stream.Rounds} rounds; {deliveries.Total} deliveries");

        var applied = await ReadAsync(database, db => db.Applied.AsNoTracking().OrderBy(x => x.Position).ToListAsync()).ConfigureAwait(false);
        Assert.Equal(produced.Order(), applied.Select(x => x.MessageId).Order());
        Assert.Equal(0, await ReadAsync(database, db => db.Progress.SumAsync(p => p.Violations)).ConfigureAwait(false));
        Assert.Equal(stream.Keys, await ReadAsync(database, db => db.Progress.CountAsync(p => p.LastSequence == stream.Rounds)).ConfigureAwait(false));
        foreach (var partition in applied.GroupBy(x => x.Partition))
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(x => x.Offset));
        return applied;
    }

    /// <summary>Waits until the group has committed every record of the topic there is.</summary>
    public static Task WaitUntilCommittedAsync(TestEnvironment environment, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return ECommerce.Testing.Infrastructure.Poll.UntilAsync(_ => environment.Groups.CaughtUpAsync(SequencingExtensions.Group, Topics.BalanceActivity),
            timeout, "the sequencing group to commit every partition to its end");
    }
}
