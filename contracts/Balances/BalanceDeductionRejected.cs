using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Balances;

/// <summary>An order's payment was refused; the balance is unchanged.</summary>
[Topic(Topics.BalanceActivity)]
public sealed record BalanceDeductionRejected(Guid OrderId, [property: PartitionKey] long UserId, decimal Amount, decimal Balance, string Reason, DateTimeOffset RejectedAt);
