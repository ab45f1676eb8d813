using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Users;

/// <summary>User action: charged money to the balance.</summary>
[Topic(Topics.UserActivity)]
public sealed record UserChargedBalance([property: PartitionKey] long UserId, Guid ChargeId, decimal Amount, DateTimeOffset At);
