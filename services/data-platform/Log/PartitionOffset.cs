namespace ECommerce.DataPlatform.Log;

/// <summary>The ingest's position in one partition of a domain topic: the offset of the last record applied. Written in the
/// same transaction as that record's effects, so a restart resumes exactly after it. Kept here rather than committed to a
/// Kafka consumer group, which could not take part in the database transaction.</summary>
public sealed class PartitionOffset
{
    /// <summary>The domain topic (without <c>Messaging:TopicPrefix</c>).</summary>
    public required string Topic { get; set; }

    public int Partition { get; set; }

    public long Offset { get; set; }
}
