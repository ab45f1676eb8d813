extern alias dataplatform;

using dataplatform::ECommerce.DataPlatform.Log;
using ECommerce.Contracts.Topology;
using Xunit;

namespace ECommerce.Component.Tests.DataPlatform;

/// <summary>The ingest's backlog per partition, what its lag report and its stalled-reader check both read: a partition with an
/// applied offset is read from the next one; one without is read from the earliest record it retains (older ones expired).</summary>
public sealed class PartitionBacklogTests
{
    static readonly LogPartition Resumed = new(Topics.CouponIssue, 0);
    static readonly LogPartition CaughtUp = new(Topics.CouponIssue, 1);
    static readonly LogPartition Fresh = new(Topics.OrderCompleted, 0);
    static readonly LogPartition Empty = new(Topics.OrderCompleted, 1);

    [Fact]
    public void Each_partition_counts_what_lies_between_its_next_offset_and_its_end()
    {
        var backlog = PartitionBacklog.Of([Resumed, CaughtUp, Fresh, Empty],
            applied: new Dictionary<LogPartition, long> { [Resumed] = 41, [CaughtUp] = 99 },
            earliest: new Dictionary<LogPartition, long> { [Fresh] = 7, [Empty] = 0 },
            ends: new Dictionary<LogPartition, long> { [Resumed] = 50, [CaughtUp] = 100, [Fresh] = 20, [Empty] = 0 });

        Assert.Equal(
            [
                new PartitionBacklog(Resumed, 41, 42, 50),
                new PartitionBacklog(CaughtUp, 99, 100, 100),
                new PartitionBacklog(Fresh, null, 7, 20),
                new PartitionBacklog(Empty, null, 0, 0),
            ],
            backlog);
        Assert.Equal([8L, 0L, 13L, 0L], backlog.Select(b => b.Unread));
    }

    [Fact]
    public void A_partition_whose_end_lies_below_its_position_has_no_backlog()
    {
        // Only after the topic was recreated (its offsets started over): never a negative count.
        var backlog = PartitionBacklog.Of([Resumed], new Dictionary<LogPartition, long> { [Resumed] = 41 },
            new Dictionary<LogPartition, long>(), new Dictionary<LogPartition, long> { [Resumed] = 30 });

        Assert.Equal(0, Assert.Single(backlog).Unread);
    }
}
