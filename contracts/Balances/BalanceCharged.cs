using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Balances;

/// <summary>Money was added to a user's balance.</summary>
[Topic(Topics.BalanceActivity)]
public sealed record BalanceCharged(Guid ChargeId, [property: PartitionKey] long UserId, decimal Amount, decimal BalanceAfter, long Sequence, DateTimeOffset ChargedAt);
