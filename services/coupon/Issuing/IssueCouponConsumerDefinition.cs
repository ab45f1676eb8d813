using MassTransit;

namespace ECommerce.Coupon.Issuing;

/// <summary>Two batches of one coupon side by side in one instance would only make one of them roll back (the coupon's
/// version): the consumer runs one message at a time, as the partition queue delivers them anyway.</summary>
public sealed class IssueCouponConsumerDefinition : ConsumerDefinition<IssueCouponConsumer>
{
    public IssueCouponConsumerDefinition() => ConcurrentMessageLimit = 1;
}
