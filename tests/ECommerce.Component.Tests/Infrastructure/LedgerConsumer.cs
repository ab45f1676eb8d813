using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A keyed-topic consumer with an effect, built on the platform's inbox base class; it fails when
/// <see cref="ConsumerFaults"/> says so, before touching the database.</summary>
public sealed class LedgerConsumer(ComponentDbContext db, ConsumerFaults faults) : TransactionalConsumer<BalanceCharged, ComponentDbContext>(db)
{
    protected override Task HandleAsync(ConsumeContext<BalanceCharged> context)
    {
        faults.OnAttempt(context.MessageId!.Value);
        Db.Effects.Add(new Effect { MessageId = context.MessageId!.Value, Kind = "ledger", Amount = context.Message.Amount });
        return Task.CompletedTask;
    }
}
