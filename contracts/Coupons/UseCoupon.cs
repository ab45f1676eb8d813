using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>Command from the order saga: spend a user-coupon on an order. Idempotent by order id.</summary>
[Topic(Topics.CouponCommands)]
public sealed record UseCoupon(Guid OrderId, [property: PartitionKey] long UserId, Guid UserCouponId);
