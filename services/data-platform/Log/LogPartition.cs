namespace ECommerce.DataPlatform.Log;

/// <summary>One partition of a domain topic (the topic by its name in the suite, without <c>Messaging:TopicPrefix</c>): the
/// unit the log is read, positioned and replayed in, since Kafka orders and numbers records per partition only.</summary>
public sealed record LogPartition(string Topic, int Partition)
{
    /// <summary><c>topic/partition</c>, as logs and dead letters name it.</summary>
    public string Name => $"{Topic}/{Partition}";

    public override string ToString() => Name;
}
