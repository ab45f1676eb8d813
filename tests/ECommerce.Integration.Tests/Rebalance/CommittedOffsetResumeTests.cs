using ECommerce.Contracts.Topology;
using ECommerce.Integration.TestHost.Sequencing;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Rebalance;

/// <summary>A consumer stopped mid-stream commits exactly what it finished (the record in hand completes, what it had fetched
/// ahead is left), and started again it resumes from those committed offsets: it is given exactly the records it had not
/// applied, the ones produced while it was down included, and none of those it had.</summary>
public sealed class CommittedOffsetResumeTests(ITestOutputHelper output)
{
    const int Keys = 12;
    const int RoundsBefore = 40;
    const int RoundsWhileDown = 10;
    const int Total = Keys * (RoundsBefore + RoundsWhileDown);
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_consumer_restarted_resumes_from_its_committed_offsets_and_applies_exactly_the_rest()
    {
        await using var environment = await TestEnvironment.CreateAsync("resume", DatabaseKind.Sqlite, output);
        var database = await environment.CreateDatabaseAsync(SequencingExtensions.ServiceName);
        var produced = new List<Guid>(await SequencingHosts.ProduceRoundsAsync(environment, Keys, 1, RoundsBefore));

        // The first run is stopped (gracefully) once it has applied a quarter of the backlog.
        var firstRun = new DeliveryLog();
        int appliedAtStop;
        await using (var first = await RunningHost.StartAsync(SequencingHosts.Build(environment, database, "first", firstRun)))
        {
            await Poll.UntilAsync(async _ => await SequencingHosts.AppliedAsync(database) >= Keys * RoundsBefore / 4, Patience,
                "a quarter of the backlog to be applied");
        }

        appliedAtStop = await SequencingHosts.AppliedAsync(database);
        var committed = (await environment.Groups.LagAsync(SequencingExtensions.Group, Topics.BalanceActivity)).Sum(p => p.Committed ?? 0);
        environment.Log.Write($"first run stopped after {appliedAtStop} applications ({firstRun.Total} deliveries) of {produced.Count}; " +
            $"{committed} records committed");
        // What finished was committed, no more and no less: the committed offsets count exactly the applied records.
        Assert.Equal(appliedAtStop, committed);
        Assert.Equal(appliedAtStop, firstRun.Total);

        // More records arrive while no instance runs.
        produced.AddRange(await SequencingHosts.ProduceRoundsAsync(environment, Keys, RoundsBefore + 1, RoundsBefore + RoundsWhileDown));

        var secondRun = new DeliveryLog();
        await using (var second = await RunningHost.StartAsync(SequencingHosts.Build(environment, database, "second", secondRun)))
        {
            await Poll.UntilAsync(async _ => await SequencingHosts.AppliedAsync(database) >= Total, Patience, $"all {Total} records to be applied");
            await SequencingHosts.WaitUntilCommittedAsync(environment, Patience);
        }

        // Each record was delivered exactly once over the two runs: the second run was given only what the first had not applied.
        var firstIds = firstRun.ByMessage;
        var secondIds = secondRun.ByMessage;
        Assert.Empty(firstIds.Keys.Intersect(secondIds.Keys));
        Assert.All(firstIds.Values.Concat(secondIds.Values), n => Assert.Equal(1, n));
        Assert.Equal(produced.Order(), firstIds.Keys.Concat(secondIds.Keys).Order());
        Assert.Equal(Total - appliedAtStop, secondRun.Total);

        var applied = await SequencingHosts.ReadAsync(database, db => db.Applied.AsNoTracking().OrderBy(a => a.Position).ToListAsync());
        Assert.Equal(produced.Order(), applied.Select(a => a.MessageId).Order());
        Assert.Equal(0, await SequencingHosts.ReadAsync(database, db => db.Progress.SumAsync(p => p.Violations)));
        Assert.Equal(Keys, await SequencingHosts.ReadAsync(database, db => db.Progress.CountAsync(p => p.LastSequence == RoundsBefore + RoundsWhileDown)));
        // Each partition's records applied in log order across the restart, with no offset skipped.
        foreach (var partition in applied.GroupBy(a => a.Partition))
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(a => a.Offset));
    }
}
