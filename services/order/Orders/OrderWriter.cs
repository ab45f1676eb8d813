using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Users;
using ECommerce.Order.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Extensions.Options;

namespace ECommerce.Order.Orders;

/// <summary>Records accepted orders with group commit (see <see cref="GroupCommitWriter{TItem,TResult}"/>): each order Pending
/// with its lines, and its <see cref="OrderSubmitted"/> and <see cref="UserPlacedOrder"/> in the outbox, in the order the
/// orders arrived. An order whose Idempotency-Key a concurrent request took fails alone with the unique key's
/// DbUpdateException; the others of its batch are written.</summary>
public sealed class OrderWriter(IServiceScopeFactory scopes, IOptions<OrderOptions> options, TimeProvider clock, ILogger<OrderWriter> logger)
    : GroupCommitWriter<OrderEntity, bool>(logger)
{
    protected override int MaxBatch => options.Value.AcceptBatchSize;

    /// <summary>Records <paramref name="order"/> (with its lines) and its events; completes when they are committed.</summary>
    public Task AcceptAsync(OrderEntity order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return EnqueueAsync(order, cancellationToken);
    }

    protected override async Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<Queued> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderDbContext>();
        var events = new List<OutboxMessage>(batch.Count * 2);
        var now = clock.GetUtcNow();
        foreach (var (order, activity) in batch)
        {
            // Each event carries its own request's trace context, so the saga's trace continues the request's.
            var lines = order.Lines.Select(l => new OrderLine(l.ProductId, l.Quantity, l.UnitPrice, l.Amount)).ToList();
            events.Add(OutboxBatch.Row(new OrderSubmitted(order.Id, order.UserId, lines, order.UserCouponId, order.TotalAmount, order.CreatedAt), now, activity));
            events.Add(OutboxBatch.Row(new UserPlacedOrder(order.UserId, order.Id, order.TotalAmount, order.CreatedAt), now, activity));
        }

        db.Orders.AddRange(batch.Select(q => q.Item));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await OutboxBatch.InsertAsync(db, events, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new bool[batch.Count];
    }
}
