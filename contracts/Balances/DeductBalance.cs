using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Balances;

/// <summary>Command from the order saga: take an order's payment. Idempotent by order id.</summary>
[Topic(Topics.BalanceCommands)]
public sealed record DeductBalance(Guid OrderId, [property: PartitionKey] long UserId, decimal Amount);
