using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Orders;

/// <summary>An order was accepted and its saga starts. Sent by the order service to itself through the outbox.</summary>
[Topic(Topics.OrderCommands)]
public sealed record OrderSubmitted([property: PartitionKey] Guid OrderId, long UserId, IReadOnlyList<OrderLine> Items, Guid? UserCouponId, decimal TotalAmount, DateTimeOffset SubmittedAt);
