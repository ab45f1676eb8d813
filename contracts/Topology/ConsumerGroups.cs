using System.Reflection;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;

namespace ECommerce.Contracts.Topology;

/// <summary>Which message types each service's consumer group consumes; the topics it reads follow from them. The topology
/// provisioner creates these groups' queues before any service starts, so an event published before its consumers first
/// came up waits for them, as it would in a Kafka consumer group created ahead of time, and routes to each queue only the
/// types listed here (a group no longer receives, and discards, the rest of a topic's events). A service that consumes a
/// type not listed for its group fails at start.
/// The data platform has no group here: it reads every domain topic from the retained log (RabbitMQ streams bound to every
/// partition), which it declares itself.</summary>
public static class ConsumerGroups
{
    public static IReadOnlyDictionary<string, IReadOnlyList<Type>> All { get; } = new Dictionary<string, IReadOnlyList<Type>>(StringComparer.Ordinal)
    {
        ["coupon"] = [typeof(CouponIssueRequested), typeof(UseCoupon), typeof(RestoreCoupon)],
        ["balance"] = [typeof(DeductBalance), typeof(RefundBalance)],
        ["order"] =
        [
            typeof(OrderSubmitted), typeof(OrderTimeoutExpired),
            typeof(BalanceDeducted), typeof(BalanceDeductionRejected),
            typeof(CouponUsed), typeof(CouponUseRejected),
        ],
    };

    /// <summary>The topics <paramref name="group"/> reads, in the catalog's order; none for a group not listed.</summary>
    public static IReadOnlyList<string> TopicsOf(string group)
    {
        if (!All.TryGetValue(group, out var types))
            return [];
        var topics = types.Select(TopicOf).ToHashSet(StringComparer.Ordinal);
        return TopicCatalog.All.Select(t => t.Name).Where(topics.Contains).ToList();
    }

    /// <summary>The types of <paramref name="group"/> published on <paramref name="topic"/>.</summary>
    public static IReadOnlyList<Type> TypesOf(string group, string topic) =>
        All.TryGetValue(group, out var types) ? types.Where(t => TopicOf(t) == topic).ToList() : [];

    static string TopicOf(Type type) => type.GetCustomAttribute<TopicAttribute>()?.Name
        ?? throw new InvalidOperationException($"{type.FullName} declares no [Topic].");
}
