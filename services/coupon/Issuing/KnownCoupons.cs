using System.Collections.Concurrent;
using ECommerce.Coupon.Data;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Issuing;

/// <summary>Which coupons exist. A coupon is never deleted, so once seen it is remembered: a flash sale's thousands of
/// requests for one coupon ask the database once, not once each. Unknown ids are not remembered (the coupon may be created
/// by another instance a moment later).</summary>
public sealed class KnownCoupons
{
    readonly ConcurrentDictionary<Guid, bool> _known = new();

    public async ValueTask<bool> ExistsAsync(CouponDbContext db, Guid couponId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_known.ContainsKey(couponId))
            return true;
        if (!await db.Coupons.AsNoTracking().AnyAsync(c => c.Id == couponId, cancellationToken))
            return false;
        _known.TryAdd(couponId, true);
        return true;
    }
}
