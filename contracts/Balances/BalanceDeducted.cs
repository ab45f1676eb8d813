using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Balances;

/// <summary>An order's payment was taken from a user's balance (answer to <see cref="DeductBalance"/>).</summary>
[Topic(Topics.BalanceActivity)]
public sealed record BalanceDeducted(Guid OrderId, [property: PartitionKey] long UserId, decimal Amount, decimal BalanceAfter, long Sequence, DateTimeOffset DeductedAt);
