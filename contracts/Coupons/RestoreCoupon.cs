using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Coupons;

/// <summary>Compensation from the order saga: give back the user-coupon an order used. Idempotent by order id.</summary>
[Topic(Topics.CouponCommands)]
public sealed record RestoreCoupon(Guid OrderId, [property: PartitionKey] long UserId, Guid UserCouponId);
