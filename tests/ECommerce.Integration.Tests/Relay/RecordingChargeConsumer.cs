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
        log.Add(new ConsumedCharge(context.Message.UserId, context.Message.Sequence, context.MessageId, Activity.Current?.TraceId));
        return Task.CompletedTask;
    }
}
