namespace ECommerce.Contracts.Topology;

/// <summary>The fixed list of topics, in the order the topology is provisioned.</summary>
public static class TopicCatalog
{
    public static IReadOnlyList<TopicDefinition> All { get; } =
    [
        new(Topics.OrderCompleted, null, false),
        new(Topics.CouponIssue, "couponId", false),
        new(Topics.BalanceActivity, "userId", false),
        new(Topics.ProductActivity, "productId", false),
        new(Topics.UserActivity, "userId", false),
        new(Topics.OrderCommands, "orderId", true),
        new(Topics.BalanceCommands, "userId", true),
        new(Topics.CouponCommands, "userId", true),
    ];

    public static TopicDefinition Get(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"Unknown topic '{name}'.", nameof(name));
}
