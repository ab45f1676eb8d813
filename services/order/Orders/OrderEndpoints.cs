using ECommerce.Contracts.Orders;
using ECommerce.Order.Data;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Orders;

public static class OrderEndpoints
{
    const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders");
        orders.MapPost("/", PlaceAsync);
        orders.MapGet("/{orderId:guid}", GetAsync);
        return app;
    }

    /// <summary>Accepts an order: prices its lines and has <see cref="OrderWriter"/> store it Pending with, in the same
    /// transaction, the saga's <see cref="OrderSubmitted"/> and the user's <see cref="UserPlacedOrder"/> in the outbox. Stock is
    /// not touched here; the saga reserves it.</summary>
    static async Task<Results<Accepted<OrderAcceptedResponse>, ValidationProblem, ProblemHttpResult>> PlaceAsync(PlaceOrderRequest request,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, OrderDbContext db, OrderWriter writer, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var validation = request.Validate()
            .Require(idempotencyKey is null || idempotencyKey.Length is >= 1 and <= 200, IdempotencyHeader, "1 to 200 characters.");
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var items = request.Items!.Select(i => (ProductId: i!.ProductId!.Value, Quantity: i.Quantity!.Value)).ToList();
        var ids = items.Select(i => i.ProductId).ToList();
        var prices = await PricesOf(db, ids).ToDictionaryAsync(cancellationToken: cancellationToken);
        for (var i = 0; i < items.Count; i++)
        {
            if (!prices.ContainsKey(items[i].ProductId))
                validation.Add($"items[{i}].productId", $"Product {items[i].ProductId} does not exist.");
        }

        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var order = new OrderEntity
        {
            Id = RowId.New(),
            UserId = request.UserId!.Value,
            UserCouponId = request.UserCouponId,
            Status = OrderStatus.Pending,
            IdempotencyKey = idempotencyKey,
            CreatedAt = clock.GetUtcNow(),
            Lines = items.Select((item, index) => new OrderLineEntity
            {
                LineNumber = index + 1,
                ProductId = item.ProductId,
                Quantity = item.Quantity,
                UnitPrice = prices[item.ProductId],
                Amount = prices[item.ProductId] * item.Quantity,
            }).ToList(),
        };
        order.TotalAmount = order.Lines.Sum(l => l.Amount);
        try
        {
            await writer.AcceptAsync(order, cancellationToken);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The key's unique index finds a retry, rather than a lookup before every insert (as for coupon requests): the
            // order that holds the key — an earlier POST, or a concurrent retry that committed first — is the answer.
            var winner = await ByKey(db, idempotencyKey, cancellationToken);
            if (winner is null)
                throw;
            return Replay(winner, request);
        }

        return TypedResults.Accepted($"/api/orders/{order.Id}", new OrderAcceptedResponse(order.Id, OrderStatus.Pending));
    }

    /// <summary>The same key answers with the first order, whatever its status now; a key reused for a different order is
    /// refused.</summary>
    static Results<Accepted<OrderAcceptedResponse>, ValidationProblem, ProblemHttpResult> Replay(OrderEntity previous, PlaceOrderRequest request)
    {
        var sameItems = previous.Lines.OrderBy(l => l.LineNumber).Select(l => (l.ProductId, l.Quantity))
            .SequenceEqual(request.Items!.Select(i => (i!.ProductId!.Value, i.Quantity!.Value)));
        return previous.UserId == request.UserId && previous.UserCouponId == request.UserCouponId && sameItems
            ? TypedResults.Accepted($"/api/orders/{previous.Id}", new OrderAcceptedResponse(previous.Id, OrderStatus.Pending))
            : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "This Idempotency-Key was already used for a different order.");
    }

    // Compiled once instead of built, parameterised and looked up per request: every placement prices its lines.
    static readonly Func<OrderDbContext, string, CancellationToken, Task<OrderEntity?>> ByKey = EF.CompileAsyncQuery(
        (OrderDbContext db, string key, CancellationToken _) => db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefault(o => o.IdempotencyKey == key));

    static readonly Func<OrderDbContext, List<Guid>, IAsyncEnumerable<KeyValuePair<Guid, decimal>>> PricesOf = EF.CompileAsyncQuery(
        (OrderDbContext db, List<Guid> ids) => db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).Select(p => new KeyValuePair<Guid, decimal>(p.Id, p.Price)));

    static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetAsync(Guid orderId, OrderDbContext db, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        return order is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Order {orderId} does not exist.")
            : TypedResults.Ok(OrderResponse.From(order));
    }
}
