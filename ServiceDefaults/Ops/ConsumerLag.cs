namespace ECommerce.ServiceDefaults.Ops;

/// <summary>One partition a consumer group reads and how far behind it is.</summary>
/// <param name="Queue">Not used on Kafka (a partition is not a queue); kept for the contract's shape.</param>
/// <param name="Ready">The lag: records of the partition the group has yet to commit (end offset − committed offset).</param>
/// <param name="Unacked">Not reported on Kafka.</param>
/// <param name="Consumers">1 when the answering instance owns the partition now, 0 when it does not: each instance of a
/// service reports its own partitions (another instance may own this one). The data platform's ingest reports 1 while an
/// instance holds its lease.</param>
/// <param name="DeadLettered">Not reported per partition on Kafka: see <c>/ops/dead-letters</c>.</param>
/// <param name="Committed">The group's committed offset (the next record it reads); null before its first commit.</param>
/// <param name="EndOffset">The offset the next record produced to the partition will have.</param>
/// <param name="Owner">The answering instance's client id (<c>group-host-pid</c>) when it owns the partition, else null.</param>
public sealed record ConsumerLag(string Group, string Topic, int? Partition, string? Queue, long? Ready, long? Unacked, long? Consumers,
    long? DeadLettered, long? Committed = null, long? EndOffset = null, string? Owner = null);
