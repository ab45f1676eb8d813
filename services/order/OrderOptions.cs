namespace ECommerce.Order;

/// <summary>Configuration section <c>Order</c>.</summary>
public sealed class OrderOptions
{
    public const string SectionName = "Order";

    /// <summary>How long an order may wait for the coupon and balance services before it fails and compensates.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the sweeper looks for orders past their deadline.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many accepted orders one transaction records at most (see <see cref="Orders.OrderWriter"/>).</summary>
    public int AcceptBatchSize { get; set; } = 200;
}
