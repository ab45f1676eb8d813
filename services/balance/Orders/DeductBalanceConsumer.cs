using ECommerce.Balance.Accounts;
using ECommerce.Balance.Data;
using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Balance.Orders;

/// <summary>Takes an order's payment from the user's balance, or refuses it (insufficient balance, invalid amount) leaving the
/// balance untouched; either way the saga gets its answer on balance-activity. An order is decided once: a repeated deduct for
/// it (the saga asking again, a re-drive) changes nothing and publishes nothing new, whatever its message id.</summary>
public sealed class DeductBalanceConsumer(BalanceDbContext db, IOutbox outbox, TimeProvider clock)
    : TransactionalConsumer<DeductBalance, BalanceDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<DeductBalance> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow();
        if (message.UserId <= 0)
        {
            // No account to lock and no user whose events it could reorder.
            if (!await Db.DeductionDecisions.AnyAsync(d => d.OrderId == message.OrderId, ct))
                Reject(message, BalanceRejectionReasons.InvalidUser, balance: 0m, now);
            return;
        }

        await Db.BeginChangeAsync(ct);
        // The lock comes first: the order's earlier decision, if any, is committed by now, and this change and its events
        // take their place in the user's sequence.
        var account = await Db.LockAccountAsync(message.UserId, ct);
        if (await AlreadyDecidedAsync(message.OrderId, ct))
            return;

        var balance = Money.FromCents(account.BalanceCents);
        if (!Money.IsValidAmount(message.Amount))
        {
            Reject(message, BalanceRejectionReasons.InvalidAmount, balance, now);
            return;
        }

        var cents = Money.ToCents(message.Amount);
        if (account.BalanceCents < cents)
        {
            Reject(message, BalanceRejectionReasons.InsufficientBalance, balance, now);
            return;
        }

        var after = await Db.ChangeLockedAccountAsync(message.UserId, -cents, ct);
        Db.Entries.Add(new BalanceEntry
        {
            Id = RowId.New(),
            UserId = message.UserId,
            Sequence = after.Sequence,
            Type = BalanceEntryType.Deducted,
            AmountCents = cents,
            BalanceAfterCents = after.BalanceCents,
            OrderId = message.OrderId,
            At = now,
        });
        outbox.Add(new BalanceDeducted(message.OrderId, message.UserId, message.Amount, Money.FromCents(after.BalanceCents), after.Sequence, now));
    }

    /// <summary>Deducted before, or refused (or fenced) before: one round trip.</summary>
    Task<bool> AlreadyDecidedAsync(Guid orderId, CancellationToken ct) =>
        Db.Entries.Where(e => e.OrderId == orderId && e.Type == BalanceEntryType.Deducted).Select(e => e.OrderId!.Value)
            .Concat(Db.DeductionDecisions.Where(d => d.OrderId == orderId).Select(d => d.OrderId))
            .AnyAsync(ct);

    void Reject(DeductBalance message, string reason, decimal balance, DateTimeOffset now)
    {
        Db.DeductionDecisions.Add(new DeductionDecision { OrderId = message.OrderId, UserId = message.UserId, Reason = reason, DecidedAt = now });
        outbox.Add(new BalanceDeductionRejected(message.OrderId, message.UserId, message.Amount, balance, reason, now));
    }
}
