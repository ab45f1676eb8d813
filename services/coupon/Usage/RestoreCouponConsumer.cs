using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.Coupon.Issuing;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Usage;

/// <summary>Compensation: makes the user-coupon an order spent available again. Only the order that spent it can restore it,
/// and only once; a restore for an order that never spent it does nothing.</summary>
public sealed class RestoreCouponConsumer(CouponDbContext db, IOutbox outbox, TimeProvider clock)
    : TransactionalConsumer<RestoreCoupon, CouponDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<RestoreCoupon> context)
    {
        var message = context.Message;
        var userCoupon = await Db.UserCoupons.FirstOrDefaultAsync(
            u => u.Id == message.UserCouponId && u.UsedByOrderId == message.OrderId && u.Status == UserCouponStatus.Used,
            context.CancellationToken);
        if (userCoupon is null)
            return;

        userCoupon.Status = UserCouponStatus.Available;
        userCoupon.UsedAt = null;
        userCoupon.UsedByOrderId = null;
        userCoupon.Version++;
        outbox.Add(new CouponRestored(message.OrderId, userCoupon.Id, userCoupon.CouponId, message.UserId, clock.GetUtcNow()));
    }
}
