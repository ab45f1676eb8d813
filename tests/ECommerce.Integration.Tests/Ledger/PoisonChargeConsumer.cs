using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Fails on every attempt until <see cref="PoisonSwitch.Fixed"/>: a bug that no retry can get past.</summary>
public sealed class PoisonChargeConsumer(LedgerDbContext db, PoisonSwitch poison) : TransactionalConsumer<BalanceCharged, LedgerDbContext>(db)
{
    public const string Complaint = "the ledger cannot apply charge";

    protected override Task HandleAsync(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        poison.Attempt();
        if (!poison.Fixed)
            throw new InvalidOperationException($"{Complaint} {context.Message.ChargeId}");
        Db.Entries.Add(new LedgerEntry { MessageId = context.MessageId!.Value, Kind = "charge" });
        return Task.CompletedTask;
    }
}
