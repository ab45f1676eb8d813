using MassTransit;

namespace ECommerce.Coupon.Usage;

/// <summary>Commands of one user arrive on one partition of coupon-commands and are applied in order: a restore never
/// overtakes the use it compensates.</summary>
public sealed class UseCouponConsumerDefinition : ConsumerDefinition<UseCouponConsumer>
{
    public UseCouponConsumerDefinition() => ConcurrentMessageLimit = 1;
}
