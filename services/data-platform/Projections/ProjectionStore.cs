using ECommerce.DataPlatform.Data;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Projections;

/// <summary>Writes projection deltas on the caller's DbContext; the caller's SaveChanges (and transaction) commits them with
/// whatever else it changed.</summary>
public static class ProjectionStore
{
    /// <summary>Adds <paramref name="delta"/> to the stored projections.</summary>
    public static async Task AddAsync(DataPlatformDbContext db, ProjectionDelta delta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.EventsIngested == 0)
            return;
        var totals = await db.Totals.FirstOrDefaultAsync(t => t.Id == StatsTotals.SingletonId, cancellationToken).ConfigureAwait(false);
        if (totals is null)
            db.Totals.Add(totals = new StatsTotals());
        totals.CompletedOrders += delta.CompletedOrders;
        totals.RevenueCents += delta.RevenueCents;
        totals.CouponsIssued += delta.CouponsIssued;
        totals.BalanceChargedCents += delta.BalanceChargedCents;
        totals.EventsIngested += delta.EventsIngested;

        var ids = delta.Products.Keys.ToList();
        var stored = new Dictionary<Guid, ProductStats>();
        foreach (var chunk in ids.Chunk(500))
        {
            foreach (var row in await db.Products.Where(p => chunk.Contains(p.ProductId)).ToListAsync(cancellationToken).ConfigureAwait(false))
                stored[row.ProductId] = row;
        }

        foreach (var (productId, tally) in delta.Products)
        {
            if (!stored.TryGetValue(productId, out var row))
                db.Products.Add(row = new ProductStats { ProductId = productId });
            row.Quantity += tally.Quantity;
            row.RevenueCents += tally.RevenueCents;
        }
    }

    /// <summary>Replaces the stored projections with <paramref name="delta"/> (a replay's result). Call inside a transaction:
    /// readers see the old projections or the new ones, never a mixture.</summary>
    public static async Task ReplaceAsync(DataPlatformDbContext db, ProjectionDelta delta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(delta);
        await db.Products.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Totals.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        db.Totals.Add(new StatsTotals
        {
            CompletedOrders = delta.CompletedOrders,
            RevenueCents = delta.RevenueCents,
            CouponsIssued = delta.CouponsIssued,
            BalanceChargedCents = delta.BalanceChargedCents,
            EventsIngested = delta.EventsIngested,
        });
        db.Products.AddRange(delta.Products.Select(p => new ProductStats
        {
            ProductId = p.Key,
            Quantity = p.Value.Quantity,
            RevenueCents = p.Value.RevenueCents,
        }));
    }
}
