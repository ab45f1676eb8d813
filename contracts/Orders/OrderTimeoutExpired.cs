using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Orders;

/// <summary>An order's saga ran past its deadline and must compensate.</summary>
[Topic(Topics.OrderCommands)]
public sealed record OrderTimeoutExpired([property: PartitionKey] Guid OrderId, DateTimeOffset ExpiredAt);
