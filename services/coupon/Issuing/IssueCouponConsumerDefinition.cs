using MassTransit;

namespace ECommerce.Coupon.Issuing;

/// <summary>First come, first served needs the requests of a coupon decided strictly one after another: the partition queue
/// already delivers one message at a time, and the consumer itself never runs twice at once even if an endpoint is
/// configured more loosely.</summary>
public sealed class IssueCouponConsumerDefinition : ConsumerDefinition<IssueCouponConsumer>
{
    public IssueCouponConsumerDefinition() => ConcurrentMessageLimit = 1;
}
