using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Applies every charge but the poisoned ones (see <see cref="PoisonedCharges"/>), which fail on every attempt with
/// the consumer's own verdict (not a transient failure, so no in-process retry).</summary>
public sealed class SelectivePoisonConsumer(LedgerDbContext db, PoisonedCharges poisoned) : TransactionalConsumer<BalanceCharged, LedgerDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var charge = context.Message;
        if (poisoned.IsPoisoned(charge.ChargeId))
        {
            await poisoned.AttemptAsync(charge.ChargeId, context.CancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"{PoisonChargeConsumer.Complaint} {charge.ChargeId}");
        }

        Db.Entries.Add(new LedgerEntry { MessageId = context.MessageId!.Value, Kind = "charge" });
    }
}
