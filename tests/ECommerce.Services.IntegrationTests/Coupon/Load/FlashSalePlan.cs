namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>The requests of a flash sale: every user asks <c>requestsPerUser</c> times, each time for a coupon drawn by the
/// coupons' shares (so some users ask twice for the same coupon, others for two different ones), in a shuffled order.</summary>
public static class FlashSalePlan
{
    public static IReadOnlyList<PlannedRequest> Create(int users, int requestsPerUser, IReadOnlyList<CouponSpec> coupons, int seed)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        var random = new Random(seed);
        var total = coupons.Sum(c => c.Share);
        var draws = new List<(long User, int Coupon)>(users * requestsPerUser);
        for (var user = 1L; user <= users; user++)
        {
            for (var n = 0; n < requestsPerUser; n++)
                draws.Add((user, Draw(random, coupons, total)));
        }

        var shuffled = draws.ToArray();
        random.Shuffle(shuffled);
        // The key is unique across runs too: keys live in the service's database, not in this plan.
        var run = Guid.NewGuid().ToString("N")[..8];
        return shuffled.Select((d, i) => new PlannedRequest(i, d.User, d.Coupon, $"{run}-{i}")).ToList();
    }

    static int Draw(Random random, IReadOnlyList<CouponSpec> coupons, double total)
    {
        var point = random.NextDouble() * total;
        for (var i = 0; i < coupons.Count; i++)
        {
            point -= coupons[i].Share;
            if (point < 0)
                return i;
        }

        return coupons.Count - 1;
    }
}
