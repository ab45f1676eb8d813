using System.Diagnostics;
using ECommerce.Contracts.Balances;
using MassTransit;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>Records every delivery as it is handled, with no inbox in front: a duplicate or a reordering shows.</summary>
public sealed class RecordingChargeConsumer(ConsumedLog log) : IConsumer<BalanceCharged>
{
    public Task Consume(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var activity = Activity.Current;
        var outermost = activity;
        while (outermost?.Parent is not null)
            outermost = outermost.Parent;
        log.Add(new ConsumedCharge(context.Message.UserId, context.Message.Sequence, context.MessageId, activity?.TraceId, outermost?.ParentSpanId));
        return Task.CompletedTask;
    }
}
