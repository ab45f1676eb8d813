using System.Diagnostics;
using ECommerce.Contracts.Balances;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Fails every attempt of the first <see cref="AttemptLog.FailedDeliveries"/> deliveries (so in-process retry cannot
/// help and the message must go through delayed redelivery), then succeeds. It times out, as a dependency would: a
/// transient failure, which the in-process retry is for.</summary>
public sealed class FlakyChargeConsumer(AttemptLog log) : IConsumer<BalanceCharged>
{
    public Task Consume(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var redelivery = context.GetRedeliveryCount();
        var succeeds = redelivery >= log.FailedDeliveries;
        log.Add(new AttemptLog.Attempt(Stopwatch.GetTimestamp(), context.MessageId,
            context.Headers.Get<string>(MessageHeaders.OriginalMessageId), redelivery, succeeds));
        return succeeds
            ? Task.CompletedTask
            : throw new TimeoutException($"transient failure on delivery {redelivery + 1}");
    }
}
