using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Issuing;

/// <summary>Decides issue requests one at a time per coupon partition, in the order they were accepted: the user already
/// holds the coupon → AlreadyIssued; no stock → SoldOut; otherwise a user-coupon is issued and the stock drops by one. The
/// decision, the inbox row and the outcome event commit together.</summary>
public sealed class IssueCouponConsumer(CouponDbContext db, IOutbox outbox, TimeProvider clock)
    : TransactionalConsumer<CouponIssueRequested, CouponDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<CouponIssueRequested> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var request = await Db.IssueRequests.FirstOrDefaultAsync(r => r.Id == message.RequestId, ct)
            ?? throw new InvalidOperationException($"Issue request {message.RequestId} is not in the database that accepted it.");
        if (request.Status != IssueRequestStatus.Pending)
            return;

        var coupon = await Db.Coupons.FirstAsync(c => c.Id == message.CouponId, ct);
        var now = clock.GetUtcNow();
        request.DecidedAt = now;

        var reason = await Db.UserCoupons.AnyAsync(u => u.CouponId == coupon.Id && u.UserId == message.UserId, ct)
            ? CouponRejectionReasons.AlreadyIssued
            : coupon.IssuedQuantity >= coupon.TotalQuantity ? CouponRejectionReasons.SoldOut : null;
        if (reason is not null)
        {
            request.Status = IssueRequestStatus.Rejected;
            request.Reason = reason;
            outbox.Add(new CouponIssueRejected(request.Id, coupon.Id, message.UserId, reason, now));
            return;
        }

        var userCoupon = new UserCouponEntity
        {
            Id = NewId.NextGuid(),
            CouponId = coupon.Id,
            UserId = message.UserId,
            Status = UserCouponStatus.Available,
            IssuedAt = now,
        };
        Db.UserCoupons.Add(userCoupon);
        coupon.IssuedQuantity++;
        coupon.Version++;
        request.Status = IssueRequestStatus.Issued;
        request.UserCouponId = userCoupon.Id;
        outbox.Add(new CouponIssued(request.Id, coupon.Id, message.UserId, userCoupon.Id, coupon.TotalQuantity - coupon.IssuedQuantity, now));
    }
}
