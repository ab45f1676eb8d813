using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Http;
using ECommerce.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Projections;

public static class StatsEndpoints
{
    const int DefaultLimit = 10;
    const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        var stats = app.MapGroup("/api/stats").WithTags("Stats");
        stats.MapGet("/", GetAsync);
        stats.MapGet("/products/top", TopProductsAsync);
        return app;
    }

    static async Task<Ok<StatsView>> GetAsync(DataPlatformDbContext db, CancellationToken cancellationToken)
    {
        var totals = await db.Totals.AsNoTracking().FirstOrDefaultAsync(t => t.Id == StatsTotals.SingletonId, cancellationToken) ?? new StatsTotals();
        return TypedResults.Ok(new StatsView(totals.CompletedOrders, Money.FromCents(totals.RevenueCents), totals.CouponsIssued,
            Money.FromCents(totals.BalanceChargedCents), totals.EventsIngested));
    }

    /// <summary>The best-selling products, by quantity (the default) or by revenue (<c>by=revenue</c>); ties broken by the other
    /// figure, then the product id, so pages are stable.</summary>
    static async Task<Results<Ok<List<TopProductView>>, ValidationProblem>> TopProductsAsync(DataPlatformDbContext db, string? limit, string? by,
        CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .Require(by is null or "quantity" or "revenue", "by", "Must be quantity or revenue.");
        var take = (int)(validation.Integer(limit, "limit", 1, MaxLimit) ?? DefaultLimit);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var query = db.Products.AsNoTracking();
        var ordered = by == "revenue"
            ? query.OrderByDescending(p => p.RevenueCents).ThenByDescending(p => p.Quantity).ThenBy(p => p.ProductId)
            : query.OrderByDescending(p => p.Quantity).ThenByDescending(p => p.RevenueCents).ThenBy(p => p.ProductId);
        var rows = await ordered.Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(p => new TopProductView(p.ProductId, p.Quantity, Money.FromCents(p.RevenueCents))).ToList());
    }
}
