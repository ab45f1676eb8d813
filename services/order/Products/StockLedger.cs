using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using ECommerce.Order.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Products;

/// <summary>Moves stock inside the caller's transaction and records each move on <c>product-activity</c> through the outbox.
/// A reservation is one conditional update per line (<c>stock = stock - q WHERE stock &gt;= q</c>): the database decides,
/// so two orders can never both take the last unit. Lines are taken in product-id order, so concurrent orders lock rows
/// in the same order and cannot deadlock.</summary>
public sealed class StockLedger(OrderDbContext db, IOutbox outbox, TimeProvider clock)
{
    /// <summary>Reserves every line or none: when a line is short, the lines already taken are put back in the same
    /// transaction and nothing is published.</summary>
    public async Task<bool> TryReserveAsync(Guid orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var ordered = lines.OrderBy(l => l.ProductId).ToList();
        var taken = new List<OrderLine>(ordered.Count);
        foreach (var line in ordered)
        {
            var updated = await db.Products.Where(p => p.Id == line.ProductId && p.Stock >= line.Quantity)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Stock, p => p.Stock - line.Quantity), cancellationToken);
            if (updated == 0)
            {
                foreach (var back in taken)
                    await AddAsync(back.ProductId, back.Quantity, cancellationToken);
                return false;
            }

            taken.Add(line);
        }

        var now = clock.GetUtcNow();
        var after = await StockOfAsync(ordered, cancellationToken);
        foreach (var line in ordered)
            outbox.Add(new StockReserved(orderId, line.ProductId, line.Quantity, after[line.ProductId], now));
        return true;
    }

    /// <summary>Gives a compensated order's reservation back.</summary>
    public async Task ReleaseAsync(Guid orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var ordered = lines.OrderBy(l => l.ProductId).ToList();
        foreach (var line in ordered)
            await AddAsync(line.ProductId, line.Quantity, cancellationToken);

        var now = clock.GetUtcNow();
        var after = await StockOfAsync(ordered, cancellationToken);
        foreach (var line in ordered)
            outbox.Add(new StockReleased(orderId, line.ProductId, line.Quantity, after[line.ProductId], now));
    }

    /// <summary>Restock or write-off; refused (null) when it would make the stock negative or exceed the maximum, and for an
    /// unknown product.</summary>
    public async Task<int?> TryAdjustAsync(Guid productId, int delta, CancellationToken cancellationToken)
    {
        var updated = await db.Products
            .Where(p => p.Id == productId && p.Stock + delta >= 0 && p.Stock + delta <= CreateProductRequest.MaxStock)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Stock, p => p.Stock + delta), cancellationToken);
        if (updated == 0)
            return null;

        var stockAfter = await db.Products.Where(p => p.Id == productId).Select(p => p.Stock).SingleAsync(cancellationToken);
        outbox.Add(new StockChanged(productId, delta, stockAfter, clock.GetUtcNow()));
        return stockAfter;
    }

    Task<int> AddAsync(Guid productId, int quantity, CancellationToken cancellationToken) =>
        db.Products.Where(p => p.Id == productId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Stock, p => p.Stock + quantity), cancellationToken);

    // Read after the updates, in the same transaction: the rows are still locked by them.
    async Task<Dictionary<Guid, int>> StockOfAsync(List<OrderLine> lines, CancellationToken cancellationToken)
    {
        var ids = lines.Select(l => l.ProductId).ToList();
        return await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => p.Stock, cancellationToken);
    }
}
