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

    /// <summary>How many records of a partition's backlog the saga handles in one transaction at most (see
    /// <c>IKafkaFactoryConfigurator.TopicEndpoint(topic, group, recordsPerTransaction, …)</c>); read at start. By default 32
    /// on SQLite, which has one writer at a time, so every transaction's fixed cost is paid in series; 1 on PostgreSQL, whose
    /// transactions run side by side, and where a batch would hold the stock rows it reserved until its last record, so that
    /// two batches reserving the same products in different orders deadlock (PostgreSQL then aborts one, and its records are
    /// handled one at a time).</summary>
    public int? RecordsPerTransaction { get; set; }
}
