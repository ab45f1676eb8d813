using ECommerce.Contracts.Orders;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Consumes the unkeyed <c>order-completed</c> topic, whose partitions are handled side by side, and makes the two copies
/// of a duplicated message (one on each of two partitions) meet inside the handler before either commits.</summary>
public sealed class OrderLedgerConsumer(LedgerDbContext db, PairBarrier barrier) : TransactionalConsumer<OrderCompleted, LedgerDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<OrderCompleted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Db.Entries.Add(new LedgerEntry { MessageId = context.MessageId!.Value, Kind = "order" });
        await barrier.ArriveAsync(context.MessageId.Value, TimeSpan.FromSeconds(10), context.CancellationToken).ConfigureAwait(false);
    }
}
