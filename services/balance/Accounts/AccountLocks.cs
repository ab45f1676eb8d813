using System.Text.Json;
using ECommerce.Balance.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ECommerce.Balance.Accounts;

/// <summary>
/// Row locking on the user's account row, the balance service's one concurrency mechanism.
/// <para>Every change of a balance — a charge over HTTP, a deduction or refund from the bus, on any instance — begins its
/// transaction with one statement that upserts the user's account row and returns it. That statement takes the row's lock
/// (PostgreSQL: the row lock of INSERT … ON CONFLICT DO UPDATE; SQLite: the database write lock that BEGIN IMMEDIATE already
/// holds), so the user's changes run one after another. Holding it, the change reads the previous state, decides, adds
/// <c>balance = balance + x, sequence = sequence + 1</c> in the database and only then writes its history entry and its outbox
/// rows. Consequences:</para>
/// <list type="bullet">
/// <item>No lost update: the arithmetic happens in the database on the locked row, never on a value read earlier.</item>
/// <item>Sequences 1, 2, 3… per user without gaps, and balanceAfter is the running sum: each change numbers itself from the row it
/// locked, and a rolled-back change rolls its number back with it.</item>
/// <item>Event order: a user's outbox rows are inserted while the row is locked, so their outbox sequence follows the user's
/// balance sequence, and the relay publishes a key's rows in outbox order; balance-activity carries a user's events in
/// sequence order.</item>
/// <item>No retries and no deadlocks: a transaction locks exactly one account row. Optimistic concurrency would instead fail and
/// retry under contention, and a command that ran out of in-process retries would be redelivered behind later commands of
/// its user — a refund could then overtake the deduction it compensates.</item>
/// </list>
/// The statements are plain SQL understood alike by PostgreSQL and by SQLite 3.35+ (upsert and RETURNING), but for how the
/// batch upsert receives its batch.
/// </summary>
public static class AccountLocks
{
    /// <summary>Begins the transaction of one balance change. Without EF Core's automatic savepoint around SaveChanges: a failed
    /// change rolls back whole, and the savepoint would cost two more round trips per change.</summary>
    public static async Task<IDbContextTransaction> BeginChangeAsync(this BalanceDbContext db,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Database.AutoSavepointsEnabled = false;
        return await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Locks the user's account (creating it at zero if the user is new) without changing it, and returns it.
    /// Call inside a transaction.</summary>
    public static async Task<AccountState> LockAccountAsync(this BalanceDbContext db, long userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Database.SqlQuery<AccountState>($"""
            INSERT INTO balance_accounts (user_id, balance_cents, sequence) VALUES ({userId}, 0, 0)
            ON CONFLICT (user_id) DO UPDATE SET sequence = balance_accounts.sequence
            RETURNING user_id AS "UserId", balance_cents AS "BalanceCents", sequence AS "Sequence"
            """).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows[0];
    }

    /// <summary>Adds each user's <c>Cents</c> to the balance and <c>Count</c> to the sequence (the user's <c>Count</c> charges,
    /// numbered together), creating accounts of new users: the locks and the changes in one statement, for changes that need
    /// no decision (charges). The rows are locked in the order given and stay locked until the transaction ends. Returns every
    /// account's state after the change. Each user once. Call inside a transaction.</summary>
    /// <remarks>The batch travels as arrays (PostgreSQL) or one JSON array (SQLite), so the statement's text is the same for
    /// every batch size: EF Core compiles a query per distinct text, and a VALUES list as long as the batch made every new
    /// size a new compilation (and new code to JIT) for as long as the service ran.</remarks>
    public static async Task<Dictionary<long, AccountState>> AddToNewOrLockedAccountsAsync(this BalanceDbContext db,
        IReadOnlyList<(long UserId, long Cents, int Count)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var (_, cents, count) in changes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(cents);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        }

        IQueryable<AccountState> query;
        if (db.Database.IsNpgsql())
        {
            var users = changes.Select(c => c.UserId).ToArray();
            var amounts = changes.Select(c => c.Cents).ToArray();
            var counts = changes.Select(c => (long)c.Count).ToArray();
            query = db.Database.SqlQuery<AccountState>($"""
                INSERT INTO balance_accounts (user_id, balance_cents, sequence)
                SELECT u, c, n FROM unnest({users}, {amounts}, {counts}) WITH ORDINALITY AS t(u, c, n, i) ORDER BY i
                ON CONFLICT (user_id) DO UPDATE SET balance_cents = balance_accounts.balance_cents + excluded.balance_cents,
                    sequence = balance_accounts.sequence + excluded.sequence
                RETURNING user_id AS "UserId", balance_cents AS "BalanceCents", sequence AS "Sequence"
                """);
        }
        else
        {
            var batch = JsonSerializer.Serialize(changes.Select(c => new[] { c.UserId, c.Cents, c.Count }));
            // "WHERE true": without it SQLite would read ON CONFLICT as part of the SELECT's join.
            query = db.Database.SqlQuery<AccountState>($"""
                INSERT INTO balance_accounts (user_id, balance_cents, sequence)
                SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each({batch})
                WHERE true
                ON CONFLICT (user_id) DO UPDATE SET balance_cents = balance_accounts.balance_cents + excluded.balance_cents,
                    sequence = balance_accounts.sequence + excluded.sequence
                RETURNING user_id AS "UserId", balance_cents AS "BalanceCents", sequence AS "Sequence"
                """);
        }

        var rows = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == changes.Count
            ? rows.ToDictionary(r => r.UserId)
            : throw new InvalidOperationException($"Changing {changes.Count} accounts returned {rows.Count} rows.");
    }

    /// <summary>Adds <paramref name="deltaCents"/> (negative for a deduction) to the balance of an account this transaction
    /// has locked with <see cref="LockAccountAsync"/>, and numbers the change. Returns the state after the change.</summary>
    /// <remarks>A plain UPDATE, not the upsert: the CHECK (balance_cents &gt;= 0) would be evaluated on the would-be inserted
    /// row of a negative delta even though the row exists.</remarks>
    public static async Task<AccountState> ChangeLockedAccountAsync(this BalanceDbContext db, long userId, long deltaCents,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Database.SqlQuery<AccountState>($"""
            UPDATE balance_accounts SET balance_cents = balance_cents + {deltaCents}, sequence = sequence + 1
            WHERE user_id = {userId}
            RETURNING user_id AS "UserId", balance_cents AS "BalanceCents", sequence AS "Sequence"
            """).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : throw new InvalidOperationException($"The account of user {userId} was not locked before its change.");
    }
}
