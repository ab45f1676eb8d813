namespace ECommerce.Contracts.Topology;

/// <summary>Which topics each service's consumer group reads. The topology provisioner creates these groups' queues before
/// any service starts, so an event published before its consumers first came up waits for them, as it would in a Kafka
/// consumer group created ahead of time. A service subscribing to a topic not listed for it fails at start.
/// The data platform has no group here: it reads every domain topic from the retained log (RabbitMQ streams bound to every
/// partition), which it declares itself.</summary>
public static class ConsumerGroups
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> All { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["coupon"] = [Topics.CouponIssue, Topics.CouponCommands],
        ["balance"] = [Topics.BalanceCommands],
        ["order"] = [Topics.OrderCommands, Topics.BalanceActivity, Topics.CouponIssue],
    };
}
