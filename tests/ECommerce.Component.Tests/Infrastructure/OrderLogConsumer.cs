using ECommerce.Contracts.Orders;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A consumer on the unkeyed <c>order-completed</c> topic, whose queue runs several messages at once: duplicates can
/// meet inside it concurrently. The gate lines them up after the inbox check.</summary>
public sealed class OrderLogConsumer(ComponentDbContext db, DuplicateGate gate) : TransactionalConsumer<OrderCompleted, ComponentDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<OrderCompleted> context)
    {
        await gate.ArriveAsync(context.CancellationToken).ConfigureAwait(false);
        Db.Effects.Add(new Effect { MessageId = context.MessageId!.Value, Kind = "order-log", Amount = context.Message.PaidAmount });
    }
}
