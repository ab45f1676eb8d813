using ECommerce.Balance.Accounts;
using ECommerce.Balance.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Balance.Charges;

public static class BalanceEndpoints
{
    const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapBalanceEndpoints(this IEndpointRouteBuilder app)
    {
        var balance = app.MapGroup("/api/users/{userId}/balance").WithTags("Balance");
        balance.MapPost("/charges", ChargeAsync);
        balance.MapGet("", GetBalanceAsync);
        balance.MapGet("/history", GetHistoryAsync);
        return app;
    }

    /// <summary>Adds money: the account row is locked and changed, then the history entry and the charged events are written,
    /// all in one transaction (see <see cref="AccountLocks"/>; <see cref="ChargeWriter"/> commits concurrent charges together).
    /// With an Idempotency-Key, a repeated POST answers the first charge's result and changes nothing; the key used for another
    /// user or amount is a 422.</summary>
    static async Task<Results<Ok<BalanceResponse>, ValidationProblem, ProblemHttpResult>> ChargeAsync(string userId, ChargeRequest request,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, BalanceDbContext db, ChargeWriter writer,
        CancellationToken cancellationToken)
    {
        var validation = request.Validate(UserIds.Parse(userId, out var user))
            .Require(idempotencyKey is null || idempotencyKey.Length is >= 1 and <= 200, IdempotencyHeader, "1 to 200 characters.");
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());
        var cents = Money.ToCents(request.Amount!.Value);

        if (idempotencyKey is not null && await FindByKeyAsync(db, idempotencyKey, cancellationToken) is { } previous)
            return Replay(previous, user, cents);

        try
        {
            var balanceCents = await writer.ChargeAsync(user, cents, idempotencyKey, cancellationToken);
            return TypedResults.Ok(new BalanceResponse(user, Money.FromCents(balanceCents)));
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // A concurrent retry with the same key committed first (this charge waited for its lock, then hit the unique key
            // and rolled back): answer with its charge.
            var winner = await FindByKeyAsync(db, idempotencyKey, cancellationToken);
            if (winner is null)
                throw;
            return Replay(winner, user, cents);
        }
    }

    static Results<Ok<BalanceResponse>, ValidationProblem, ProblemHttpResult> Replay(BalanceEntry previous, long userId, long cents) =>
        previous.UserId == userId && previous.AmountCents == cents
            ? TypedResults.Ok(new BalanceResponse(userId, Money.FromCents(previous.BalanceAfterCents)))
            : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "This Idempotency-Key was already used for a different charge.");

    static Task<BalanceEntry?> FindByKeyAsync(BalanceDbContext db, string key, CancellationToken cancellationToken) =>
        db.Entries.AsNoTracking().FirstOrDefaultAsync(e => e.IdempotencyKey == key, cancellationToken);

    static async Task<Results<Ok<BalanceResponse>, ValidationProblem>> GetBalanceAsync(string userId, BalanceDbContext db,
        CancellationToken cancellationToken)
    {
        var validation = UserIds.Parse(userId, out var user);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());
        var cents = await db.Accounts.AsNoTracking().Where(a => a.UserId == user).Select(a => (long?)a.BalanceCents)
            .FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new BalanceResponse(user, Money.FromCents(cents ?? 0)));
    }

    static async Task<Results<Ok<List<HistoryItem>>, ValidationProblem>> GetHistoryAsync(string userId, BalanceDbContext db,
        CancellationToken cancellationToken)
    {
        var validation = UserIds.Parse(userId, out var user);
        if (!validation.IsValid)
            return TypedResults.ValidationProblem(validation.ToDictionary());
        var entries = await db.Entries.AsNoTracking().Where(e => e.UserId == user).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
        return TypedResults.Ok(entries.Select(HistoryItem.From).ToList());
    }
}
