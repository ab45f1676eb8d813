using System.Data.Common;
using System.Text.Json;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Issuing;

/// <summary>Newly accepted (Pending) issue requests, inserted with one statement in the caller's transaction, in list order —
/// the order that numbers them (<see cref="PendingRequests"/>). Their values are put into parameters (arrays on PostgreSQL,
/// one JSON array on SQLite) when the batch is made, before the transaction begins: on SQLite the transaction holds the
/// database's one write lock, which accepting shares with deciding and the relay (see <see cref="IssueDecisionBatch"/>).</summary>
public sealed class AcceptedRequestBatch
{
    readonly Func<CouponDbContext, CancellationToken, Task<int>> _write;
    readonly int _count;

    public AcceptedRequestBatch(bool postgres, IReadOnlyList<IssueRequestEntity> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        _count = requests.Count;
        _write = postgres ? Npgsql(requests) : Sqlite(requests);
    }

    /// <summary>Inserts the requests in the transaction open on <paramref name="db"/>. A taken Idempotency-Key (or id) is reported
    /// as the <see cref="DbUpdateException"/> SaveChanges would throw, which the group-commit writer answers by writing the
    /// batch's requests one by one.</summary>
    public async Task SaveAsync(CouponDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Accepted requests are inserted in the transaction of their events; begin one first.");
        int inserted;
        try
        {
            inserted = await _write(db, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e) when (UniqueViolations.Is(e))
        {
            throw new DbUpdateException("An issue request's id or Idempotency-Key is taken.", e);
        }

        if (inserted != _count)
            throw new InvalidOperationException($"Inserted {inserted} of {_count} accepted issue requests.");
    }

    static Func<CouponDbContext, CancellationToken, Task<int>> Npgsql(IReadOnlyList<IssueRequestEntity> requests)
    {
        var ids = requests.Select(r => r.Id).ToArray();
        var coupons = requests.Select(r => r.CouponId).ToArray();
        var users = requests.Select(r => r.UserId).ToArray();
        var keys = requests.Select(r => r.IdempotencyKey).ToArray();
        var accepted = requests.Select(r => r.AcceptedAt).ToArray();
        return (db, cancellationToken) => db.Database.ExecuteSqlAsync($"""
            INSERT INTO "issue_requests" ("Id", "CouponId", "UserId", "Status", "IdempotencyKey", "AcceptedAt")
            SELECT i, c, u, {IssueRequestStatus.Pending}, k, a
            FROM unnest({ids}, {coupons}, {users}, {keys}, {accepted}) WITH ORDINALITY AS r(i, c, u, k, a, o)
            ORDER BY o
            """, cancellationToken);
    }

    static Func<CouponDbContext, CancellationToken, Task<int>> Sqlite(IReadOnlyList<IssueRequestEntity> requests)
    {
        var rows = JsonSerializer.Serialize(requests.Select(r => new object?[]
        {
            SqliteValues.Guid(r.Id), SqliteValues.Guid(r.CouponId), r.UserId, r.IdempotencyKey, SqliteValues.Timestamp(r.AcceptedAt),
        }));
        return (db, cancellationToken) => db.Database.ExecuteSqlAsync($"""
            INSERT INTO "issue_requests" ("Id", "CouponId", "UserId", "Status", "IdempotencyKey", "AcceptedAt")
            SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), {IssueRequestStatus.Pending},
                json_extract(value, '$[3]'), json_extract(value, '$[4]')
            FROM json_each({rows}) ORDER BY key
            """, cancellationToken);
    }
}
