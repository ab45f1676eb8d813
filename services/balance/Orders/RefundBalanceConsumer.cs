using ECommerce.Balance.Accounts;
using ECommerce.Balance.Data;
using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Balance.Orders;

/// <summary>Compensation: gives back exactly what the order's deduction took — at most once, and only if a deduction for that
/// order and user happened. A refund that finds no deduction changes no balance and publishes nothing, but fences the order
/// off: a deduction arriving after its own compensation (the saga timed out waiting) is not applied.</summary>
public sealed class RefundBalanceConsumer(BalanceDbContext db, IOutbox outbox, TimeProvider clock)
    : TransactionalConsumer<RefundBalance, BalanceDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<RefundBalance> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        if (message.UserId <= 0)
            return;

        await Db.BeginChangeAsync(ct);
        await Db.LockAccountAsync(message.UserId, ct);
        var deduction = await Db.Entries.AsNoTracking()
            .FirstOrDefaultAsync(e => e.OrderId == message.OrderId && e.Type == BalanceEntryType.Deducted, ct);
        var now = clock.GetUtcNow();
        if (deduction is null)
        {
            if (!await Db.DeductionDecisions.AnyAsync(d => d.OrderId == message.OrderId, ct))
                Db.DeductionDecisions.Add(new DeductionDecision
                {
                    OrderId = message.OrderId,
                    UserId = message.UserId,
                    Reason = DeductionDecision.Compensated,
                    DecidedAt = now,
                });
            return;
        }

        if (deduction.UserId != message.UserId
            || await Db.Entries.AnyAsync(e => e.OrderId == message.OrderId && e.Type == BalanceEntryType.Refunded, ct))
            return;

        var after = await Db.ChangeLockedAccountAsync(message.UserId, deduction.AmountCents, ct);
        Db.Entries.Add(new BalanceEntry
        {
            Id = RowId.New(),
            UserId = message.UserId,
            Sequence = after.Sequence,
            Type = BalanceEntryType.Refunded,
            AmountCents = deduction.AmountCents,
            BalanceAfterCents = after.BalanceCents,
            OrderId = message.OrderId,
            At = now,
        });
        outbox.Add(new BalanceRefunded(message.OrderId, message.UserId, Money.FromCents(deduction.AmountCents),
            Money.FromCents(after.BalanceCents), after.Sequence, now));
    }
}
