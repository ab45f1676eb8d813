namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>A member of a consumer group as the broker describes it: its client id and the partitions it owns (topics without
/// the test's prefix).</summary>
public sealed record GroupMember(string ClientId, IReadOnlyList<(string Topic, int Partition)> Assignment)
{
    public IEnumerable<int> PartitionsOf(string topic) => Assignment.Where(a => a.Topic == topic).Select(a => a.Partition);
}
