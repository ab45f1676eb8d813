namespace ECommerce.DataPlatform.Log;

/// <summary>One stream of the retained log: a partition of a keyed domain topic, or a whole unkeyed one. Like a Kafka
/// partition it has its own offsets, and the consumer keeps its position in each.</summary>
public sealed record LogStream(string Topic, int? Partition)
{
    /// <summary>The stream queue's name. A stream per partition, not one for the whole suite: the consistent-hash exchange does
    /// not record which partition it chose, so only the stream a message sits in tells its partition.</summary>
    public string Queue => Partition is { } p ? $"data-platform.log.{Topic}.p{p}" : $"data-platform.log.{Topic}";
}
