using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Coupons;

public static class CouponEndpoints
{
    public static IEndpointRouteBuilder MapCouponEndpoints(this IEndpointRouteBuilder app)
    {
        var coupons = app.MapGroup("/api/coupons").WithTags("Coupons");
        coupons.MapPost("/", CreateAsync);
        coupons.MapGet("/{couponId:guid}", GetAsync);
        return app;
    }

    static async Task<Results<Created<CouponResponse>, ValidationProblem>> CreateAsync(CreateCouponRequest request, CouponDbContext db,
        IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var validation = request.Validate();
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var coupon = new CouponEntity
        {
            Id = RowId.New(),
            Name = request.Name!.Trim(),
            DiscountAmount = request.DiscountAmount!.Value,
            TotalQuantity = request.TotalQuantity!.Value,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Coupons.Add(coupon);
        outbox.Add(new CouponCreated(coupon.Id, coupon.Name, coupon.DiscountAmount, coupon.TotalQuantity, coupon.CreatedAt));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/coupons/{coupon.Id}", CouponResponse.From(coupon));
    }

    static async Task<Results<Ok<CouponResponse>, ProblemHttpResult>> GetAsync(Guid couponId, CouponDbContext db, CancellationToken cancellationToken)
    {
        var coupon = await db.Coupons.AsNoTracking().FirstOrDefaultAsync(c => c.Id == couponId, cancellationToken);
        return coupon is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Coupon {couponId} does not exist.")
            : TypedResults.Ok(CouponResponse.From(coupon));
    }
}
