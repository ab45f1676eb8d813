using ECommerce.Coupon.Data;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Issuing;

/// <summary>A coupon's undecided requests in acceptance order: the order their rows were inserted. A request is inserted when
/// it is accepted and answered only after it committed, so a request accepted before another was sent is inserted (and
/// numbered) first, and is visible to any reader that sees the later one. Deciding the pending requests in this order is
/// therefore first come, first served, whichever order their issue-requested events arrive in.</summary>
public static class PendingRequests
{
    /// <summary>PostgreSQL's identity column numbering issue requests as they are inserted (a shadow property: nothing but
    /// this ordering uses it).</summary>
    public const string AcceptanceOrder = "AcceptanceOrder";

    public static Task<List<IssueRequestEntity>> OldestAsync(CouponDbContext db, Guid couponId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var pending = IssueRequestStatus.Pending;
        // SQLite numbers a table's rows in insert order (the rowid; rows are never deleted here, so it never reuses one).
        var query = db.Database.IsNpgsql()
            ? db.IssueRequests.FromSql($"""
                SELECT * FROM issue_requests WHERE "CouponId" = {couponId} AND "Status" = {pending} ORDER BY "AcceptanceOrder" LIMIT {limit}
                """)
            : db.IssueRequests.FromSql($"""
                SELECT * FROM issue_requests WHERE "CouponId" = {couponId} AND "Status" = {pending} ORDER BY rowid LIMIT {limit}
                """);
        return query.AsNoTracking().ToListAsync(cancellationToken);
    }
}
