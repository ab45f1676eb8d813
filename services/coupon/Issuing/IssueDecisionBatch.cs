using System.Text.Json;
using ECommerce.Coupon.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Issuing;

/// <summary>A decided batch, written with one statement per table in the caller's transaction: the coupon's counters (guarded
/// by its version), the requests' decisions, the issued user-coupons (<see cref="UserCouponStatus.Available"/>, issued when
/// decided).
/// <para>Why not SaveChanges: on SQLite every write of the service — accepting, deciding, the relay's deletes — queues for the
/// database's one write lock, and a sale goes as fast as the time its requests hold it. Through the change tracker a batch of
/// 2,000 decisions is 2,000 UPDATEs and up to 2,000 INSERTs, each built, bound and run inside the transaction: in a sale of
/// 5,000 requests/s a batch held the lock 160–340 ms, and accepting and deciding together held it all the time. Here the
/// rows are put into parameters (arrays on PostgreSQL, one JSON array on SQLite) when the batch is made, before the
/// transaction begins, and the database applies them with three statements.</para></summary>
public sealed class IssueDecisionBatch
{
    readonly CouponEntity _coupon;
    readonly long _expectedVersion;
    readonly int _decided;
    readonly int _issued;
    readonly Func<CouponDbContext, CancellationToken, Task<(int Requests, int UserCoupons)>> _write;

    /// <summary>The batch that leaves <paramref name="coupon"/> with its current counters and version, provided it still has
    /// <paramref name="expectedVersion"/>; decides <paramref name="decided"/> (each still Pending) at
    /// <paramref name="decidedAt"/>; issues <paramref name="issued"/>.</summary>
    public IssueDecisionBatch(bool postgres, CouponEntity coupon, long expectedVersion, IReadOnlyList<IssueRequestEntity> decided,
        IReadOnlyList<(Guid Id, long UserId)> issued, DateTimeOffset decidedAt)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(decided);
        ArgumentNullException.ThrowIfNull(issued);
        _coupon = coupon;
        _expectedVersion = expectedVersion;
        _decided = decided.Count;
        _issued = issued.Count;
        _write = postgres ? Npgsql(coupon.Id, decided, issued, decidedAt) : Sqlite(coupon.Id, decided, issued, decidedAt);
    }

    /// <summary>Writes the batch in the transaction open on <paramref name="db"/>. Throws <see cref="DbUpdateConcurrencyException"/>
    /// when another batch changed the coupon or decided one of the requests first.</summary>
    public async Task SaveAsync(CouponDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("A batch's decisions are saved in the transaction of its outcome events; begin one first.");

        // The coupon first: on PostgreSQL its row lock makes a racing batch of the same coupon wait here, then find the version
        // changed, before it has written anything.
        var coupon = _coupon;
        var updated = await db.Coupons.Where(c => c.Id == coupon.Id && c.Version == _expectedVersion)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.IssuedQuantity, coupon.IssuedQuantity)
                .SetProperty(c => c.DecidedCount, coupon.DecidedCount)
                .SetProperty(c => c.Version, coupon.Version), cancellationToken).ConfigureAwait(false);
        if (updated != 1)
            throw new DbUpdateConcurrencyException($"Coupon {coupon.Id} is no longer at version {_expectedVersion}: another batch decided first.");

        var (requests, userCoupons) = await _write(db, cancellationToken).ConfigureAwait(false);
        if (requests != _decided || userCoupons != _issued)
            throw new DbUpdateConcurrencyException(
                $"Saved {requests} of {_decided} decisions and {userCoupons} of {_issued} user-coupons of coupon {coupon.Id}: a request was decided by another batch.");
    }

    /// <summary>Each decision finds its request with a probe of the primary key, whatever the statistics say: a LATERAL
    /// subquery with LIMIT is not flattened into a join, and the row it finds is updated through its ctid. The plain
    /// <c>UPDATE … FROM unnest(…) WHERE r."Id" = d.id AND r."Status" = 'Pending'</c> leaves the join to the planner, and a
    /// prepared statement keeps the plan it made while the table was small: auto_explain caught it, in a sale of 5,000
    /// requests/s, scanning the pending requests once per decision (a materialized sequential scan inside the nested loop),
    /// 60–500 ms a batch, and in one run decisions fell to 1,499/s with accepted→decided at 70 s. A request decided meanwhile
    /// by another batch is left out (its status, or on a concurrent update its ctid, no longer matches), and the count tells.</summary>
    static Func<CouponDbContext, CancellationToken, Task<(int, int)>> Npgsql(Guid couponId, IReadOnlyList<IssueRequestEntity> decided,
        IReadOnlyList<(Guid Id, long UserId)> issued, DateTimeOffset decidedAt)
    {
        var ids = decided.Select(r => r.Id).ToArray();
        var statuses = decided.Select(r => r.Status).ToArray();
        var reasons = decided.Select(r => r.Reason).ToArray();
        var positions = decided.Select(r => r.Position).ToArray();
        var userCouponIds = decided.Select(r => r.UserCouponId).ToArray();
        var newIds = issued.Select(u => u.Id).ToArray();
        var users = issued.Select(u => u.UserId).ToArray();
        return async (db, cancellationToken) =>
        {
            var requests = await db.Database.ExecuteSqlAsync($"""
                UPDATE "issue_requests" AS r
                SET "Status" = d.status, "Reason" = d.reason, "Position" = d.position, "UserCouponId" = d.user_coupon, "DecidedAt" = {decidedAt}
                FROM unnest({ids}, {statuses}, {reasons}, {positions}, {userCouponIds}) AS d(id, status, reason, position, user_coupon)
                CROSS JOIN LATERAL (
                    SELECT p.ctid AS row FROM "issue_requests" AS p WHERE p."Id" = d.id AND p."Status" = {IssueRequestStatus.Pending} LIMIT 1
                ) AS pending
                WHERE r.ctid = pending.row
                """, cancellationToken).ConfigureAwait(false);
            var userCoupons = newIds.Length == 0 ? 0 : await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "user_coupons" ("Id", "CouponId", "UserId", "Status", "IssuedAt", "Version")
                SELECT id, {couponId}, user_id, {UserCouponStatus.Available}, {decidedAt}, 0 FROM unnest({newIds}, {users}) AS u(id, user_id)
                """, cancellationToken).ConfigureAwait(false);
            return (requests, userCoupons);
        };
    }

    static Func<CouponDbContext, CancellationToken, Task<(int, int)>> Sqlite(Guid couponId, IReadOnlyList<IssueRequestEntity> decided,
        IReadOnlyList<(Guid Id, long UserId)> issued, DateTimeOffset decidedAt)
    {
        var decisions = JsonSerializer.Serialize(decided.Select(r => new object?[]
        {
            SqliteValues.Guid(r.Id), r.Status, r.Reason, r.Position, SqliteValues.Guid(r.UserCouponId),
        }));
        var newUserCoupons = JsonSerializer.Serialize(issued.Select(u => new object[] { SqliteValues.Guid(u.Id), u.UserId }));
        var coupon = SqliteValues.Guid(couponId);
        var at = SqliteValues.Timestamp(decidedAt);
        return async (db, cancellationToken) =>
        {
            // json_each's rows drive the join: one primary-key lookup in issue_requests per decision.
            var requests = await db.Database.ExecuteSqlAsync($"""
                UPDATE "issue_requests"
                SET "Status" = json_extract(d.value, '$[1]'), "Reason" = json_extract(d.value, '$[2]'),
                    "Position" = json_extract(d.value, '$[3]'), "UserCouponId" = json_extract(d.value, '$[4]'), "DecidedAt" = {at}
                FROM json_each({decisions}) AS d
                WHERE "issue_requests"."Id" = json_extract(d.value, '$[0]') AND "issue_requests"."Status" = {IssueRequestStatus.Pending}
                """, cancellationToken).ConfigureAwait(false);
            var userCoupons = issued.Count == 0 ? 0 : await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "user_coupons" ("Id", "CouponId", "UserId", "Status", "IssuedAt", "Version")
                SELECT json_extract(value, '$[0]'), {coupon}, json_extract(value, '$[1]'), {UserCouponStatus.Available}, {at}, 0
                FROM json_each({newUserCoupons})
                """, cancellationToken).ConfigureAwait(false);
            return (requests, userCoupons);
        };
    }
}
