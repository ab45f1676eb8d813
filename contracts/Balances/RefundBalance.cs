using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Balances;

/// <summary>Compensation from the order saga: give back what an order paid. Without a prior deduction it does nothing.</summary>
[Topic(Topics.BalanceCommands)]
public sealed record RefundBalance(Guid OrderId, [property: PartitionKey] long UserId, decimal Amount);
