using System.Diagnostics;
using System.Threading.Channels;
using ECommerce.Balance.Accounts;
using ECommerce.Balance.Data;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Users;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Balance.Charges;

/// <summary>Applies charges with group commit: the charges that arrive while a transaction commits are applied together by the
/// next one, each exactly as a charge of its own would be (<see cref="AccountLocks.AddToNewOrLockedAccountAsync"/> on the
/// user's locked row, its history entry, its two events), and each caller is answered once that transaction committed.
/// <para>One transaction per charge makes concurrent charges queue for SQLite's single write lock (whose busy handler waits by
/// sleeping) or for PostgreSQL's commit flush; one writer committing whatever has gathered turns the queue into batches.
/// Nothing about the rules changes: a user's charges in a batch are applied in arrival order, each numbering itself from the
/// row as the previous one left it, and their outbox rows follow in that order. The batch takes its users' rows in user-id
/// order, so two instances' batches (or a batch and a deduction, which locks one row) can never wait for each other in a
/// cycle.</para></summary>
public sealed partial class ChargeWriter(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ChargeWriter> logger) : BackgroundService
{
    /// <summary>The most charges one transaction applies.</summary>
    public const int MaxBatch = 500;

    readonly Channel<Charge> _queue = Channel.CreateUnbounded<Charge>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Applies a charge of <paramref name="cents"/> to <paramref name="userId"/> and returns the balance after it, in
    /// cents, once committed. Throws what the database threw, e.g. a <see cref="DbUpdateException"/> when the charge's
    /// Idempotency-Key was taken meanwhile.</summary>
    public Task<long> ChargeAsync(long userId, long cents, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var charge = new Charge(userId, cents, idempotencyKey, Activity.Current);
        if (!_queue.Writer.TryWrite(charge))
            throw new InvalidOperationException("The charge writer has stopped.");
        // A caller that gives up still has its charge applied (it may be in the batch being written); a retry with the same
        // Idempotency-Key finds it.
        return charge.Applied.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Charge>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                    batch.Add(next);
                await WriteAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            // Charges that arrived during shutdown are not applied: their callers get an error, not a lost charge.
            while (_queue.Reader.TryRead(out var left))
                left.Applied.TrySetException(new OperationCanceledException("The balance service is stopping."));
        }
    }

    async Task WriteAsync(List<Charge> batch, CancellationToken cancellationToken)
    {
        try
        {
            var balances = await ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
                batch[i].Applied.TrySetResult(balances[i]);
        }
        catch (DbUpdateException) when (batch.Count > 1)
        {
            // One charge's Idempotency-Key was taken (by a concurrent retry): apply each on its own, so only that one fails.
            LogBatchConflict(logger, batch.Count);
            foreach (var charge in batch)
                await WriteAsync([charge], cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure goes to the callers, whose error handling answers it (e.g. 503 when overloaded).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var charge in batch)
                charge.Applied.TrySetException(ex);
        }
    }

    /// <summary>Applies <paramref name="batch"/> in one transaction; returns each charge's balance after it, in batch order.</summary>
    async Task<long[]> ApplyAsync(List<Charge> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BalanceDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var balances = new long[batch.Count];
        var writerActivity = Activity.Current;
        await using var transaction = await db.BeginChangeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One statement changes every user of the batch: each user's charges together, in user-id order (the lock order).
            var users = batch.Select((charge, index) => (charge, index)).GroupBy(x => x.charge.UserId).OrderBy(g => g.Key).ToList();
            var accounts = await db.AddToNewOrLockedAccountsAsync(
                [.. users.Select(g => (g.Key, g.Sum(x => x.charge.Cents), g.Count()))], cancellationToken).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            foreach (var user in users)
            {
                // Unwound from the state after all of the user's charges: each charge in arrival order, as if applied alone.
                var account = accounts[user.Key];
                var balance = account.BalanceCents - user.Sum(x => x.charge.Cents);
                var sequence = account.Sequence - user.Count();
                foreach (var (charge, index) in user)
                {
                    balance += charge.Cents;
                    sequence++;
                    var entry = new BalanceEntry
                    {
                        Id = NewId.NextGuid(),
                        UserId = charge.UserId,
                        Sequence = sequence,
                        Type = BalanceEntryType.Charged,
                        AmountCents = charge.Cents,
                        BalanceAfterCents = balance,
                        IdempotencyKey = charge.IdempotencyKey,
                        At = now,
                    };
                    db.Entries.Add(entry);
                    // The outbox keeps the current trace context with each event: the charge's own request.
                    Activity.Current = charge.Activity;
                    var amount = Money.FromCents(charge.Cents);
                    outbox.Add(new BalanceCharged(entry.Id, charge.UserId, amount, Money.FromCents(balance), sequence, now));
                    outbox.Add(new UserChargedBalance(charge.UserId, entry.Id, amount, now));
                    Activity.Current = writerActivity;
                    balances[index] = balance;
                }
            }
        }
        finally
        {
            Activity.Current = writerActivity;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return balances;
    }

    sealed record Charge(long UserId, long Cents, string? IdempotencyKey, Activity? Activity)
    {
        public TaskCompletionSource<long> Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(LogLevel.Information, "A batch of {Count} charges hit a unique key; applying them one by one")]
    static partial void LogBatchConflict(ILogger logger, int count);
}
