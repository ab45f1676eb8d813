using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>A plain consumer with an effect: one ledger row per charge.</summary>
public sealed class ChargeLedgerConsumer(LedgerDbContext db) : TransactionalConsumer<BalanceCharged, LedgerDbContext>(db)
{
    protected override Task HandleAsync(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Db.Entries.Add(new LedgerEntry { MessageId = context.MessageId!.Value, Kind = "charge" });
        return Task.CompletedTask;
    }
}
