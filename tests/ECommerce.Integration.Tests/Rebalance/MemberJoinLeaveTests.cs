using ECommerce.Contracts.Topology;
using ECommerce.Integration.TestHost.Sequencing;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Rebalance;

/// <summary>Rebalances while records flow: a second instance joins the group mid-stream (the broker moves some of the first
/// one's partitions to it: the first finishes the record in hand, commits, lets go; the second starts at that commit) and
/// later leaves it mid-stream (its partitions go back the same way). No record is lost, none is delivered or applied twice,
/// and each key's records are applied in order whichever instance had its partition.
/// <para>When b joins, instance a's partitions are paused for certain: a buffers four records per partition, and the test
/// holds every record a is about to be given until b owns its share, so a's buffers fill behind the held records and each
/// partition is paused (back-pressure) when it moves to b (the held records of those partitions are given up after the
/// revocation's patience, never delivered to a, and read by b). librdkafka keeps a partition's pause across a rebalance: a
/// partition given back to a must be resumed by a, or it is never fetched again — a consumer once left a partition paused
/// that way after a broker crash, and its records were never handled.</para></summary>
public sealed class MemberJoinLeaveTests(ITestOutputHelper output)
{
    const int Keys = 24;

    /// <summary>Records produced but not yet delivered that the producer keeps in front of the consumers, so that there is
    /// always a backlog on the partitions when the group changes.</summary>
    const int Backlog = 150;

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_instance_joining_and_leaving_mid_stream_loses_nothing_and_applies_nothing_twice()
    {
        await using var environment = await TestEnvironment.CreateAsync("join-leave", DatabaseKind.PostgreSql, output);
        var database = await environment.CreateDatabaseAsync(SequencingExtensions.ServiceName);
        var deliveries = new DeliveryLog();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held.SetResult();
        await using var a = await RunningHost.StartAsync(SequencingHosts.Build(environment, database, "a", deliveries,
            new Dictionary<string, string?> { ["Messaging:PartitionBuffer"] = "4" },
            beforeDelivery: token => Volatile.Read(ref held).Task.WaitAsync(token)));
        await using var stream = BackloggedStream.Start(environment, deliveries, Keys, Backlog);
        await Poll.UntilAsync(() => deliveries.Total >= 200, Patience, "instance a to be consuming");
        Volatile.Write(ref held, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        // b joins while the stream flows; the group splits the partitions between a and b.
        long joinedAt;
        IReadOnlyList<int> partitionsOfB;
        await using (var b = await RunningHost.StartAsync(SequencingHosts.Build(environment, database, "b", deliveries)))
        {
            await Poll.UntilAsync(async _ => await environment.Groups.OwnersOfAsync(SequencingExtensions.Group, Topics.BalanceActivity) == 2,
                Patience, "b to be given partitions of balance-activity");
            environment.Log.Write($"after the join: {await environment.Groups.DescribeAsync(SequencingExtensions.Group, Topics.BalanceActivity)}");
            held.SetResult();
            joinedAt = await SequencingHosts.ReadAsync(database, db => db.Applied.MaxAsync(x => x.Position));
            await Poll.UntilAsync(async _ => await SequencingHosts.ReadAsync(database, db => db.Applied.CountAsync(x => x.Instance == "b")) >= 100, Patience,
                "instance b to apply records of the partitions it was given");
            partitionsOfB = await SequencingHosts.ReadAsync(database, db => db.Applied.Where(x => x.Instance == "b").Select(x => x.Partition).Distinct().ToListAsync());
            // b leaves (a graceful stop) while the stream still flows.
        }

        var leftAt = await SequencingHosts.ReadAsync(database, db => db.Applied.MaxAsync(x => x.Position));
        environment.Log.Write($"b left after applying from partitions {string.Join(", ", partitionsOfB)}; {stream.Produced.Count} produced so far");
        // a takes b's partitions back and goes on: some rounds later, every key has moved on.
        var roundsAtLeave = stream.Rounds;
        await Poll.UntilAsync(() => stream.Rounds >= roundsAtLeave + 10, Patience, "ten more rounds to be produced after b left");
        await stream.StopAsync();

        var applied = await SequencingHosts.AssertAppliedOnceInOrderAsync(environment, database, stream, deliveries, Patience);
        // Nothing even delivered twice: both hand-overs were orderly (commit, then release).
        Assert.Equal(stream.Produced.Order(), deliveries.ByMessage.Keys.Order());
        Assert.All(deliveries.ByMessage.Values, n => Assert.Equal(1, n));
        // Both hand-overs happened mid-stream: b applied records after it joined, and a applied records of b's partitions after
        // b left.
        Assert.Contains(applied, x => x.Instance == "b" && x.Position > joinedAt);
        Assert.Contains(applied, x => x.Instance == "a" && x.Position > leftAt && partitionsOfB.Contains(x.Partition));
    }
}
