using ECommerce.Balance.Accounts;
using ECommerce.Balance.Data;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Users;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;

namespace ECommerce.Balance.Charges;

/// <summary>Applies charges with group commit (see <see cref="GroupCommitWriter{TItem,TResult}"/>), each exactly as a charge of
/// its own would be: on the user's locked row (<see cref="AccountLocks"/>), with its history entry and its two events.
/// <para>Nothing about the rules changes: a user's charges in a batch are applied in arrival order, each numbering itself from the
/// row as the previous one left it, and their outbox rows follow in that order. The batch takes its users' rows in user-id
/// order, so two instances' batches (or a batch and a deduction, which locks one row) can never wait for each other in a
/// cycle.</para></summary>
public sealed class ChargeWriter(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ChargeWriter> logger)
    : GroupCommitWriter<ChargeWriter.Charge, long>(logger)
{
    protected override int MaxBatch => 500;

    /// <summary>Applies a charge of <paramref name="cents"/> to <paramref name="userId"/> and returns the balance after it, in
    /// cents, once committed. Throws what the database threw, e.g. a DbUpdateException when the charge's Idempotency-Key was
    /// taken meanwhile.</summary>
    public Task<long> ChargeAsync(long userId, long cents, string? idempotencyKey, CancellationToken cancellationToken) =>
        EnqueueAsync(new Charge(userId, cents, idempotencyKey), cancellationToken);

    /// <summary>Applies <paramref name="batch"/> in one transaction; returns each charge's balance after it, in batch order.</summary>
    protected override async Task<IReadOnlyList<long>> CommitAsync(IReadOnlyList<Queued> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BalanceDbContext>();
        var balances = new long[batch.Count];
        var events = new List<OutboxMessage>(batch.Count * 2);
        await using var transaction = await db.BeginChangeAsync(cancellationToken).ConfigureAwait(false);
        // One statement changes every user of the batch: each user's charges together, in user-id order (the lock order).
        var users = batch.Select((queued, index) => (charge: queued.Item, queued.Activity, index))
            .GroupBy(x => x.charge.UserId).OrderBy(g => g.Key).ToList();
        var accounts = await db.AddToNewOrLockedAccountsAsync(
            [.. users.Select(g => (g.Key, g.Sum(x => x.charge.Cents), g.Count()))], cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        foreach (var user in users)
        {
            // Unwound from the state after all of the user's charges: each charge in arrival order, as if applied alone.
            var account = accounts[user.Key];
            var balance = account.BalanceCents - user.Sum(x => x.charge.Cents);
            var sequence = account.Sequence - user.Count();
            foreach (var (charge, activity, index) in user)
            {
                balance += charge.Cents;
                sequence++;
                var entry = new BalanceEntry
                {
                    Id = RowId.New(),
                    UserId = charge.UserId,
                    Sequence = sequence,
                    Type = BalanceEntryType.Charged,
                    AmountCents = charge.Cents,
                    BalanceAfterCents = balance,
                    IdempotencyKey = charge.IdempotencyKey,
                    At = now,
                };
                db.Entries.Add(entry);
                // Each event under the trace context of the charge's own request.
                var amount = Money.FromCents(charge.Cents);
                events.Add(OutboxBatch.Row(new BalanceCharged(entry.Id, charge.UserId, amount, Money.FromCents(balance), sequence, now), now, activity));
                events.Add(OutboxBatch.Row(new UserChargedBalance(charge.UserId, entry.Id, amount, now), now, activity));
                balances[index] = balance;
            }
        }

        // The events in one statement rather than as tracked entities: a full batch is 1,000 of them.
        await OutboxBatch.InsertAsync(db, events, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return balances;
    }

    /// <summary>A charge waiting for its transaction.</summary>
    public sealed record Charge(long UserId, long Cents, string? IdempotencyKey);
}
