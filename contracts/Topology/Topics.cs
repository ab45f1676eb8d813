namespace ECommerce.Contracts.Topology;

/// <summary>The names of the topics (exchanges) every message belongs to. Domain topics first, then the command channels
/// through which the order saga talks to the services that own balance and coupons.</summary>
public static class Topics
{
    public const string OrderCompleted = "order-completed";
    public const string CouponIssue = "coupon-issue";
    public const string BalanceActivity = "balance-activity";
    public const string ProductActivity = "product-activity";
    public const string UserActivity = "user-activity";

    public const string OrderCommands = "order-commands";
    public const string BalanceCommands = "balance-commands";
    public const string CouponCommands = "coupon-commands";
}
