namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>Where a consumer group stands in one partition: its committed offset (the next record it reads; null before its
/// first commit) and the partition's end offset (the offset the next record produced will have).</summary>
public sealed record PartitionPosition(string Topic, int Partition, long? Committed, long End)
{
    /// <summary>Records the group has yet to commit.</summary>
    public long Lag => End - (Committed ?? 0);
}
