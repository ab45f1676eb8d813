using System.Diagnostics;
using System.Globalization;
using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Fails every attempt in the first <see cref="AttemptLog.FailedTiers"/> tiers (so in-process retry cannot help and
/// the record must go through the retry topics), then succeeds. It times out, as a dependency would: a transient failure,
/// which the in-process retry is for. The tier and the due time are read from the record's headers, as the failure policy
/// wrote them.</summary>
public sealed class FlakyChargeConsumer(AttemptLog log) : IConsumer<BalanceCharged>
{
    public Task Consume(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var at = DateTimeOffset.UtcNow;
        var headers = context.ReceiveContext.TransportHeaders;
        var tier = int.TryParse(headers.Get<string>(KafkaHeaders.Attempt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : 0;
        DateTimeOffset? due = long.TryParse(headers.Get<string>(KafkaHeaders.DueAt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        var succeeds = tier >= log.FailedTiers;
        log.Add(new AttemptLog.Attempt(Stopwatch.GetTimestamp(), at, context.MessageId, tier, due, succeeds));
        return succeeds
            ? Task.CompletedTask
            : throw new TimeoutException($"transient failure in tier {tier}");
    }
}
