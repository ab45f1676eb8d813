namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>How big a flash sale a test runs: users, requests per user, and the coupons with their stock and share.</summary>
public sealed record FlashSaleScale(int Users, int RequestsPerUser, IReadOnlyList<CouponSpec> Coupons)
{
    public int Requests => Users * RequestsPerUser;

    /// <summary>10,000 requests from 5,000 users over stocks of 100 / 1,000 / 5,000. With shares of 30/30/40 % the first two
    /// coupons get about 30× and 3× their stock in requests; the third cannot sell out (fewer distinct users ask for it than
    /// it has), so it shows that every distinct user's first request wins while stock lasts.</summary>
    public static FlashSaleScale PostgreSql { get; } = new(5_000, 2,
        [new("flash-100", 100, 0.3), new("flash-1000", 1_000, 0.3), new("flash-5000", 5_000, 0.4)]);

    /// <summary>SQLite has one writer for both instances' requests, decisions and relays: 4,000 requests from 2,000 users over
    /// stocks of 50 / 400 / 1,000 keep the test within its time budget on a 2-core machine. All three coupons sell out here.</summary>
    public static FlashSaleScale Sqlite { get; } = new(2_000, 2,
        [new("flash-50", 50, 0.3), new("flash-400", 400, 0.3), new("flash-1000", 1_000, 0.4)]);
}
