using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Sagas;

/// <summary>Answers for one order arrive on different topics (coupon-issue, balance-activity, order-commands) and can be
/// handled at the same moment; the loser of that race fails its optimistic-concurrency check (or, for two copies of one
/// submission, the saga row's key) and is re-run at once on the winner's state, before the endpoint's slower retry and
/// redelivery policy.</summary>
public sealed class OrderStateMachineDefinition : SagaDefinition<OrderState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<OrderState> sagaConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(sagaConfigurator);
        sagaConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateException>();
            r.Immediate(5);
        });
    }
}
