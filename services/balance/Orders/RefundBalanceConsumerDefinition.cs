using MassTransit;

namespace ECommerce.Balance.Orders;

public sealed class RefundBalanceConsumerDefinition : ConsumerDefinition<RefundBalanceConsumer>
{
    public RefundBalanceConsumerDefinition() => ConcurrentMessageLimit = 1;
}
