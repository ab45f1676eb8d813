using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace ECommerce.ServiceDefaults.Messaging.Redelivery;

/// <summary>Gives each consume context the TTL scheduler, which MassTransit's scheduled redelivery then uses. The bus topology
/// comes from the consume context (as in MassTransit's own scheduler filters): resolving <c>IBus</c> while the bus's endpoints
/// are being configured would ask the container for the bus it is still building, and the start of the host never returns.</summary>
internal sealed class TtlSchedulerFilter(IReadOnlyList<TimeSpan> tiers, TimeProvider clock) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context,
            consumeContext => new MessageScheduler(new TtlScheduleMessageProvider(consumeContext, tiers, clock),
                consumeContext.GetPayload<IBusTopology>())));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context?.CreateFilterScope("ttlScheduler");
}
