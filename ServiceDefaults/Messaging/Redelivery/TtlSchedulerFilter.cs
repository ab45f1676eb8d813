using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace ECommerce.ServiceDefaults.Messaging.Redelivery;

/// <summary>Gives each consume context the TTL scheduler, which MassTransit's scheduled redelivery then uses.</summary>
internal sealed class TtlSchedulerFilter(IBusTopology topology, IReadOnlyList<TimeSpan> tiers, TimeProvider clock) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context,
            consumeContext => new MessageScheduler(new TtlScheduleMessageProvider(consumeContext, tiers, clock), topology)));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context?.CreateFilterScope("ttlScheduler");
}
