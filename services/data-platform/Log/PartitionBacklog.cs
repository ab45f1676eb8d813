namespace ECommerce.DataPlatform.Log;

/// <summary>Where the ingest stands in one partition against the log: <paramref name="Applied"/> is the offset of the last
/// record it applied (null before the first), <paramref name="Next"/> the offset it reads next (after the applied one, else
/// the earliest the partition retains), <paramref name="End"/> the offset the next record produced there will get.</summary>
public sealed record PartitionBacklog(LogPartition Partition, long? Applied, long Next, long End)
{
    /// <summary>Records the partition holds that the ingest has not applied.</summary>
    public long Unread => Math.Max(0, End - Next);

    /// <summary>Every partition's backlog, from the applied offsets and the partitions' retained range (earliest is needed only
    /// for partitions without an applied offset).</summary>
    public static List<PartitionBacklog> Of(IEnumerable<LogPartition> partitions, IReadOnlyDictionary<LogPartition, long> applied,
        IReadOnlyDictionary<LogPartition, long> earliest, IReadOnlyDictionary<LogPartition, long> ends)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(earliest);
        ArgumentNullException.ThrowIfNull(ends);
        return partitions.Select(p => applied.TryGetValue(p, out var done)
                ? new PartitionBacklog(p, done, done + 1, ends[p])
                : new PartitionBacklog(p, null, earliest[p], ends[p]))
            .ToList();
    }
}
