using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ECommerce.Coupon.Issuing;

/// <summary>Decides a coupon's issue requests first come, first served. An issue-requested event wakes the coupon up; the
/// consumer then decides, in one transaction, every pending request of that coupon in acceptance order (up to
/// <see cref="IssuingOptions.DecisionBatchSize"/>): the user already holds the coupon → AlreadyIssued; no stock left →
/// SoldOut; otherwise a user-coupon is issued and the stock drops by one. The events of requests decided by an earlier batch
/// find them decided and change nothing.
/// <para>One transaction per batch instead of one per request is what lets a flash sale be decided as fast as it is
/// accepted. The decisions, the positions, the coupon's counters and the outcome events commit together; the coupon's
/// version makes two batches of one coupon that race (a partition handed over mid-batch) exclusive: the loser rolls back
/// and, retried, finds its requests decided. Idempotency comes from the requests' own state rather than an inbox row,
/// which would cost a write per event for nothing: deciding a decided request is a no-op by construction.</para>
/// <para>The outcome events and the decisions go in as four set-based statements (<see cref="OutboxBatch"/>,
/// <see cref="IssueDecisionBatch"/>) rather than as up to 6,000 tracked entities.</para></summary>
public sealed class IssueCouponConsumer(CouponDbContext db, TimeProvider clock, IOptions<IssuingOptions> options,
    DecidedRequests decided)
    : IConsumer<CouponIssueRequested>
{
    public async Task Consume(ConsumeContext<CouponIssueRequested> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        var ct = context.CancellationToken;
        if (decided.Contains(message.RequestId))
            return;
        // Nothing is tracked: a retry starts from the database, never from a failed attempt's state.
        var status = await db.IssueRequests.AsNoTracking().Where(r => r.Id == message.RequestId).Select(r => r.Status)
            .FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"Issue request {message.RequestId} is not in the database that accepted it.");
        if (status != IssueRequestStatus.Pending)
            return;

        var coupon = await db.Coupons.AsNoTracking().FirstAsync(c => c.Id == message.CouponId, ct);
        var batch = await PendingRequests.OldestAsync(db, coupon.Id, options.Value.DecisionBatchSize, ct);
        var users = batch.Select(r => r.UserId).Distinct().ToList();
        var holders = await CouponHolders.AmongAsync(db, coupon.Id, users, ct);

        var now = clock.GetUtcNow();
        var events = new List<OutboxMessage>(batch.Count);
        var issued = new List<(Guid Id, long UserId)>();
        var version = coupon.Version++;
        foreach (var request in batch)
            events.Add(OutboxBatch.Row(Decide(coupon, request, holders, issued, now), now));
        var decisions = new IssueDecisionBatch(db.Database.IsNpgsql(), coupon, version, batch, issued, now);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await OutboxBatch.InsertAsync(db, events, ct);
        await decisions.SaveAsync(db, ct);
        await transaction.CommitAsync(ct);
        decided.Add(batch.Select(r => r.Id));
    }

    /// <summary>Decides <paramref name="request"/> and returns its outcome event.</summary>
    static object Decide(CouponEntity coupon, IssueRequestEntity request, HashSet<long> holders, List<(Guid Id, long UserId)> issued,
        DateTimeOffset now)
    {
        request.Position = ++coupon.DecidedCount;
        request.DecidedAt = now;
        var reason = holders.Contains(request.UserId) ? CouponRejectionReasons.AlreadyIssued
            : coupon.IssuedQuantity >= coupon.TotalQuantity ? CouponRejectionReasons.SoldOut
            : null;
        if (reason is not null)
        {
            request.Status = IssueRequestStatus.Rejected;
            request.Reason = reason;
            return new CouponIssueRejected(request.Id, coupon.Id, request.UserId, reason, now);
        }

        var userCouponId = RowId.New();
        issued.Add((userCouponId, request.UserId));
        holders.Add(request.UserId);
        coupon.IssuedQuantity++;
        request.Status = IssueRequestStatus.Issued;
        request.UserCouponId = userCouponId;
        return new CouponIssued(request.Id, coupon.Id, request.UserId, userCouponId, coupon.TotalQuantity - coupon.IssuedQuantity, now);
    }
}
