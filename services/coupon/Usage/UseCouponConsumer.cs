using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.Coupon.Issuing;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Usage;

/// <summary>Spends a user-coupon on an order and answers the saga: used, or rejected (unknown, someone else's, already
/// spent). Idempotent by order id: the same order asking again gets the same answer.</summary>
public sealed class UseCouponConsumer(CouponDbContext db, IOutbox outbox, TimeProvider clock)
    : TransactionalConsumer<UseCoupon, CouponDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<UseCoupon> context)
    {
        var message = context.Message;
        var now = clock.GetUtcNow();
        var userCoupon = await Db.UserCoupons.FirstOrDefaultAsync(u => u.Id == message.UserCouponId, context.CancellationToken);
        var reason = userCoupon switch
        {
            null => CouponRejectionReasons.NotFound,
            { } u when u.UserId != message.UserId => CouponRejectionReasons.NotOwner,
            { } u when u.UsedByOrderId == message.OrderId => null,
            { } u when u.Status != UserCouponStatus.Available => CouponRejectionReasons.NotAvailable,
            _ => null,
        };
        if (reason is not null)
        {
            outbox.Add(new CouponUseRejected(message.OrderId, message.UserCouponId, userCoupon?.CouponId ?? Guid.Empty, message.UserId, reason, now));
            return;
        }

        var coupon = await Db.Coupons.AsNoTracking().FirstAsync(c => c.Id == userCoupon!.CouponId, context.CancellationToken);
        if (userCoupon!.UsedByOrderId != message.OrderId)
        {
            userCoupon.Status = UserCouponStatus.Used;
            userCoupon.UsedAt = now;
            userCoupon.UsedByOrderId = message.OrderId;
            userCoupon.Version++;
        }

        outbox.Add(new CouponUsed(message.OrderId, userCoupon.Id, userCoupon.CouponId, message.UserId, coupon.DiscountAmount, userCoupon.UsedAt ?? now));
    }
}
