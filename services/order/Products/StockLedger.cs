using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using ECommerce.Order.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Products;

/// <summary>Moves stock inside the caller's transaction and records each move on <c>product-activity</c> through the outbox.
/// A reservation is one conditional update per line (<c>stock = stock - q WHERE stock &gt;= q</c>): the database decides,
/// so two orders can never both take the last unit. Lines are taken in product-id order, so concurrent orders lock rows
/// in the same order and cannot deadlock. Each move is one SQL statement returning the stock it left (SQLite and PostgreSQL
/// both have <c>RETURNING</c>), written out rather than through LINQ: these run inside the saga's transaction, on SQLite
/// while holding the database's one write lock, and building and caching an <c>ExecuteUpdate</c>'s expression tree cost more
/// than the statement.</summary>
public sealed class StockLedger(OrderDbContext db, IOutbox outbox, TimeProvider clock)
{
    /// <summary>Reserves every line or none: when a line is short, the lines already taken are put back in the same
    /// transaction and nothing is published.</summary>
    public async Task<bool> TryReserveAsync(Guid orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var ordered = lines.OrderBy(l => l.ProductId).ToList();
        var after = new Dictionary<Guid, int>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            if (await MoveAsync(ordered[i].ProductId, -ordered[i].Quantity, 0, int.MaxValue, cancellationToken) is not { } left)
            {
                foreach (var taken in ordered.Take(i))
                    await MoveAsync(taken.ProductId, taken.Quantity, int.MinValue, int.MaxValue, cancellationToken);
                return false;
            }

            after[ordered[i].ProductId] = left;
        }

        var now = clock.GetUtcNow();
        foreach (var line in ordered)
            outbox.Add(new StockReserved(orderId, line.ProductId, line.Quantity, after[line.ProductId], now));
        return true;
    }

    /// <summary>Gives a compensated order's reservation back.</summary>
    public async Task ReleaseAsync(Guid orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var ordered = lines.OrderBy(l => l.ProductId).ToList();
        var after = new Dictionary<Guid, int>(ordered.Count);
        foreach (var line in ordered)
        {
            if (await MoveAsync(line.ProductId, line.Quantity, int.MinValue, int.MaxValue, cancellationToken) is { } left)
                after[line.ProductId] = left;
        }

        var now = clock.GetUtcNow();
        foreach (var line in ordered.Where(l => after.ContainsKey(l.ProductId)))
            outbox.Add(new StockReleased(orderId, line.ProductId, line.Quantity, after[line.ProductId], now));
    }

    /// <summary>Restock or write-off; refused (null) when it would make the stock negative or exceed the maximum, and for an
    /// unknown product.</summary>
    public async Task<int?> TryAdjustAsync(Guid productId, int delta, CancellationToken cancellationToken)
    {
        var stockAfter = await MoveAsync(productId, delta, 0, CreateProductRequest.MaxStock, cancellationToken);
        if (stockAfter is { } stock)
            outbox.Add(new StockChanged(productId, delta, stock, clock.GetUtcNow()));
        return stockAfter;
    }

    /// <summary>Adds <paramref name="delta"/> to the product's stock where the result stays within [min, max]; the stock it
    /// left, or null when the product is unknown or the move was refused.</summary>
    async Task<int?> MoveAsync(Guid productId, int delta, int min, int max, CancellationToken cancellationToken)
    {
        await db.BeforeWriteAsync(cancellationToken);
        var left = await db.Database.SqlQuery<int>($"""
            UPDATE "products" SET "Stock" = "Stock" + {delta}
            WHERE "Id" = {productId} AND "Stock" + {delta} >= {min} AND "Stock" + {delta} <= {max}
            RETURNING "Stock" AS "Value"
            """).ToListAsync(cancellationToken);
        return left.Count == 0 ? null : left[0];
    }
}
