using MassTransit;

namespace ECommerce.Coupon.Usage;

public sealed class RestoreCouponConsumerDefinition : ConsumerDefinition<RestoreCouponConsumer>
{
    public RestoreCouponConsumerDefinition() => ConcurrentMessageLimit = 1;
}
