using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Counts each message that reaches the consumer pipeline of an endpoint into a <see cref="DeliveryLog"/>.</summary>
public sealed class DeliveryCountingFilter(DeliveryLog log) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        log.Started(context.MessageId);
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        finally
        {
            log.Finished();
        }
    }

    public void Probe(ProbeContext context) => context?.CreateFilterScope("deliveryCount");
}
