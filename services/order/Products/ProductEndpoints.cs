using ECommerce.Contracts.Products;
using ECommerce.Order.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Products;

public static class ProductEndpoints
{
    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/products").WithTags("Products");
        products.MapPost("/", CreateAsync);
        products.MapGet("/{productId:guid}", GetAsync);
        products.MapPost("/{productId:guid}/stock-adjustments", AdjustStockAsync);
        return app;
    }

    static async Task<Results<Created<ProductResponse>, ValidationProblem>> CreateAsync(CreateProductRequest request, OrderDbContext db,
        IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var validation = request.Validate();
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var product = new ProductEntity
        {
            Id = RowId.New(),
            Name = request.Name!.Trim(),
            Price = request.Price!.Value,
            Stock = request.Stock!.Value,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Products.Add(product);
        outbox.Add(new ProductCreated(product.Id, product.Name, product.Price, product.Stock, product.CreatedAt));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/products/{product.Id}", ProductResponse.From(product));
    }

    static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetAsync(Guid productId, OrderDbContext db, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Id == productId, cancellationToken);
        return product is null
            ? NotFound(productId)
            : TypedResults.Ok(ProductResponse.From(product));
    }

    static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> AdjustStockAsync(Guid productId,
        AdjustStockRequest request, OrderDbContext db, StockLedger ledger, CancellationToken cancellationToken)
    {
        var validation = request.Validate();
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var strategy = db.Database.CreateExecutionStrategy();
        var adjusted = await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var stockAfter = await ledger.TryAdjustAsync(productId, request.Delta!.Value, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return stockAfter;
        }, cancellationToken);

        if (adjusted is not null)
            return TypedResults.Ok(ProductResponse.From(await db.Products.AsNoTracking().FirstAsync(p => p.Id == productId, cancellationToken))
                with { Stock = adjusted.Value });
        return await db.Products.AnyAsync(p => p.Id == productId, cancellationToken)
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["delta"] = [$"The stock would leave the range 0 to {CreateProductRequest.MaxStock}."],
            })
            : NotFound(productId);
    }

    static ProblemHttpResult NotFound(Guid productId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Product {productId} does not exist.");
}
