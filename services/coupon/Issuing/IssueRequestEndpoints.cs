using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Http;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Issuing;

public static class IssueRequestEndpoints
{
    const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapIssueRequestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/coupons/{couponId:guid}/issue-requests", RequestAsync).WithTags("Coupon issuing");
        app.MapGet("/api/coupon-issue-requests/{requestId:guid}", GetRequestAsync).WithTags("Coupon issuing");
        app.MapGet("/api/users/{userId:long}/coupons", UserCouponsAsync).WithTags("Coupon issuing");
        return app;
    }

    /// <summary>Accepts a request: records it Pending and, in the same transaction, puts its issue-requested event in the
    /// outbox (<see cref="IssueRequestWriter"/>, which commits concurrent requests together). Nothing is locked: the request's
    /// row is numbered in acceptance order as it is inserted (see <see cref="PendingRequests"/>), and the issuing consumer
    /// decides in that order.</summary>
    static async Task<Results<Accepted<IssueRequestResponse>, ValidationProblem, ProblemHttpResult>> RequestAsync(Guid couponId,
        IssueCouponRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, CouponDbContext db,
        IssueRequestWriter writer, KnownCoupons coupons, TimeProvider clock, CancellationToken cancellationToken)
    {
        var validation = request.Validate()
            .Require(idempotencyKey is null || idempotencyKey.Length is >= 1 and <= 200, IdempotencyHeader, "1 to 200 characters.");
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());
        var userId = request.UserId!.Value;

        if (!await coupons.ExistsAsync(db, couponId, cancellationToken))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Coupon {couponId} does not exist.");

        var entity = new IssueRequestEntity
        {
            Id = RowId.New(),
            CouponId = couponId,
            UserId = userId,
            Status = IssueRequestStatus.Pending,
            IdempotencyKey = idempotencyKey,
            AcceptedAt = clock.GetUtcNow(),
        };
        try
        {
            await writer.AcceptAsync(entity, cancellationToken);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The key's unique index finds a retry, rather than a lookup before every insert: retries are rare, and a flash
            // sale's clients all send a key. The request that holds the key (an earlier POST, or a concurrent retry that
            // committed first) is the answer.
            var winner = await FindByKeyAsync(db, idempotencyKey, cancellationToken);
            if (winner is null)
                throw;
            return Replay(winner, couponId, userId);
        }

        return TypedResults.Accepted($"/api/coupon-issue-requests/{entity.Id}", IssueRequestResponse.Accepted(entity));
    }

    /// <summary>A retried POST gets the first POST's answer: the same request, as it was accepted (its current state is at its
    /// Location).</summary>
    static Results<Accepted<IssueRequestResponse>, ValidationProblem, ProblemHttpResult> Replay(IssueRequestEntity previous, Guid couponId, long userId) =>
        previous.CouponId == couponId && previous.UserId == userId
            ? TypedResults.Accepted($"/api/coupon-issue-requests/{previous.Id}", IssueRequestResponse.Accepted(previous))
            : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "This Idempotency-Key was already used for a different request.");

    static Task<IssueRequestEntity?> FindByKeyAsync(CouponDbContext db, string key, CancellationToken cancellationToken) =>
        db.IssueRequests.AsNoTracking().FirstOrDefaultAsync(r => r.IdempotencyKey == key, cancellationToken);

    static async Task<Results<Ok<IssueRequestResponse>, ProblemHttpResult>> GetRequestAsync(Guid requestId, CouponDbContext db,
        CancellationToken cancellationToken)
    {
        var request = await db.IssueRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        return request is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Issue request {requestId} does not exist.")
            : TypedResults.Ok(IssueRequestResponse.From(request));
    }

    static async Task<Results<Ok<List<UserCouponResponse>>, ValidationProblem>> UserCouponsAsync(long userId, CouponDbContext db,
        CancellationToken cancellationToken)
    {
        var validation = new Validation().UserId(userId);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());

        var coupons = await (from uc in db.UserCoupons.AsNoTracking()
                             join c in db.Coupons.AsNoTracking() on uc.CouponId equals c.Id
                             where uc.UserId == userId
                             orderby uc.IssuedAt
                             select new UserCouponResponse(uc.Id, c.Id, c.Name, c.DiscountAmount, uc.Status, uc.IssuedAt, uc.UsedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(coupons);
    }
}
