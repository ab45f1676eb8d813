using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Balances;

/// <summary>A compensated order's payment was given back.</summary>
[Topic(Topics.BalanceActivity)]
public sealed record BalanceRefunded(Guid OrderId, [property: PartitionKey] long UserId, decimal Amount, decimal BalanceAfter, long Sequence, DateTimeOffset RefundedAt);
