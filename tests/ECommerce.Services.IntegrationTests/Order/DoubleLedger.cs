using System.Collections.Concurrent;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>The state of the balance and coupon services as the test double keeps it: balances, user-coupons, and every
/// decision by order id, so a repeated command gets the same answer and a compensation applies once. One lock: the double
/// is not what is under test.</summary>
public sealed class DoubleLedger
{
    readonly Lock _gate = new();
    readonly Dictionary<long, decimal> _balances = [];
    readonly Dictionary<Guid, (long UserId, decimal Discount, Guid? UsedBy)> _coupons = [];
    readonly Dictionary<Guid, decimal> _deducted = [];
    readonly HashSet<Guid> _refunded = [];
    readonly HashSet<Guid> _rejected = [];

    public static readonly Guid CouponId = Guid.Parse("0f5e7c8d-3b2a-4c1d-9e8f-7a6b5c4d3e21");

    public ConcurrentDictionary<Guid, int> CompletedEvents { get; } = new();

    public void Charge(long userId, decimal amount)
    {
        lock (_gate)
            _balances[userId] = _balances.GetValueOrDefault(userId) + amount;
    }

    public Guid IssueCoupon(long userId, decimal discount)
    {
        var id = Guid.NewGuid();
        lock (_gate)
            _coupons[id] = (userId, discount, null);
        return id;
    }

    /// <summary>Deducted (with the amount) or refused; the same order always gets its first answer.</summary>
    public bool Deduct(Guid orderId, long userId, decimal amount)
    {
        lock (_gate)
        {
            if (_deducted.ContainsKey(orderId))
                return true;
            if (_rejected.Contains(orderId))
                return false;
            if (_balances.GetValueOrDefault(userId) < amount)
            {
                _rejected.Add(orderId);
                return false;
            }

            _balances[userId] -= amount;
            _deducted[orderId] = amount;
            return true;
        }
    }

    /// <summary>Gives back what the order paid, once. A refund that finds nothing paid (it overtook its deduct, e.g. a timeout's
    /// compensation while the deduct waited out a broker outage) leaves the order refused, so the late deduct is refused too —
    /// as the balance service records a Compensated decision.</summary>
    public void Refund(Guid orderId, long userId)
    {
        lock (_gate)
        {
            if (_deducted.TryGetValue(orderId, out var amount))
            {
                if (_refunded.Add(orderId))
                    _balances[userId] += amount;
            }
            else
            {
                _rejected.Add(orderId);
            }
        }
    }

    /// <summary>The discount, or null when the coupon is unknown, someone else's, or spent on another order.</summary>
    public decimal? Use(Guid orderId, long userId, Guid userCouponId)
    {
        lock (_gate)
        {
            if (!_coupons.TryGetValue(userCouponId, out var coupon) || coupon.UserId != userId)
                return null;
            if (coupon.UsedBy is { } usedBy && usedBy != orderId)
                return null;
            _coupons[userCouponId] = coupon with { UsedBy = orderId };
            return coupon.Discount;
        }
    }

    public void Restore(Guid orderId, Guid userCouponId)
    {
        lock (_gate)
        {
            if (_coupons.TryGetValue(userCouponId, out var coupon) && coupon.UsedBy == orderId)
                _coupons[userCouponId] = coupon with { UsedBy = null };
        }
    }

    public decimal BalanceOf(long userId)
    {
        lock (_gate)
            return _balances.GetValueOrDefault(userId);
    }

    /// <summary>Each user-coupon and the order it is spent on (null: available).</summary>
    public IReadOnlyDictionary<Guid, Guid?> CouponUse()
    {
        lock (_gate)
            return _coupons.ToDictionary(c => c.Key, c => c.Value.UsedBy);
    }
}
