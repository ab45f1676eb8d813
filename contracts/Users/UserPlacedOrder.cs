using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Users;

/// <summary>User action: placed an order.</summary>
[Topic(Topics.UserActivity)]
public sealed record UserPlacedOrder([property: PartitionKey] long UserId, Guid OrderId, decimal TotalAmount, DateTimeOffset At);
