namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>How far a consumer group is on one partition: its committed offset (the next record it would read; null before its
/// first commit) and the partition's end offset (the offset the next record produced will get).</summary>
public sealed record PartitionLag(int Partition, long? Committed, long End)
{
    public long Lag => End - (Committed ?? 0);
}
