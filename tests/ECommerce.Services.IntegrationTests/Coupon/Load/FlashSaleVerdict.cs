namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>Every broken invariant found (empty when the sale was correct) and how each coupon's requests ended.</summary>
public sealed record FlashSaleVerdict(IReadOnlyList<string> Violations, IReadOnlyList<CouponTally> Tallies)
{
    /// <summary>The violations, at most <paramref name="max"/> of them, for an assertion message.</summary>
    public string Describe(int max = 30) =>
        Violations.Count == 0
            ? "no violations"
            : $"{Violations.Count} violations:{Environment.NewLine}{string.Join(Environment.NewLine, Violations.Take(max))}";
}
