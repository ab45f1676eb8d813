using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>One ledger row per charge, the poisoned ones (see <see cref="PoisonedCharges"/>) refused on every attempt; notes
/// each attempt, and whether it ran inside a batch, in <see cref="BatchObservations"/>.</summary>
public sealed class BatchedChargeConsumer(LedgerDbContext db, PoisonedCharges poisoned, BatchObservations observations)
    : TransactionalConsumer<BalanceCharged, LedgerDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var charge = context.Message;
        observations.Saw(charge.ChargeId, Db.InBatch);
        if (poisoned.IsPoisoned(charge.ChargeId))
        {
            await poisoned.AttemptAsync(charge.ChargeId, context.CancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"{PoisonChargeConsumer.Complaint} {charge.ChargeId}");
        }

        Db.Entries.Add(new LedgerEntry { MessageId = context.MessageId!.Value, Kind = "charge" });
    }
}
