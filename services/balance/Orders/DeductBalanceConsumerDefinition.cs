using MassTransit;

namespace ECommerce.Balance.Orders;

/// <summary>A user's commands arrive on one partition of balance-commands and are applied in order: a refund never overtakes
/// the deduction it compensates.</summary>
public sealed class DeductBalanceConsumerDefinition : ConsumerDefinition<DeductBalanceConsumer>
{
    public DeductBalanceConsumerDefinition() => ConcurrentMessageLimit = 1;
}
