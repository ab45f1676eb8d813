namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>A member of a consumer group as the broker describes it: its client id, the partitions it owns and the partitions
/// the coordinator means it to own once every hand-over is done (topics without the test's prefix).</summary>
public sealed record GroupMember(string ClientId, IReadOnlyList<(string Topic, int Partition)> Assignment,
    IReadOnlyList<(string Topic, int Partition)> Target)
{
    /// <summary>Owns what the coordinator means it to own: no hand-over of its is under way.</summary>
    public bool Settled => Assignment.SequenceEqual(Target);

    public IEnumerable<int> PartitionsOf(string topic) => Assignment.Where(a => a.Topic == topic).Select(a => a.Partition);
}
