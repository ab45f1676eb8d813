using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Coupons;
using ECommerce.Coupon.Coupons;
using ECommerce.Coupon.Data;
using ECommerce.Coupon.Issuing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Coupon;

/// <summary>The coupon service's set-based statements on SQLite (<see cref="AcceptedRequestBatch"/>,
/// <see cref="IssueDecisionBatch"/>): what they write reads back through EF Core exactly as if it had written it (GUIDs,
/// timestamps, nulls), requests are numbered in list order, and the guards refuse a second batch of the same coupon version, a
/// decided request and a taken Idempotency-Key without writing anything. PostgreSQL's forms run in the coupon service's
/// integration tests.</summary>
public sealed class IssueBatchStatementTests
{
    [Fact]
    public async Task Accepted_and_decided_batches_read_back_through_EF_and_their_guards_write_nothing()
    {
        using var host = await SqliteHost<CouponDbContext>.StartAsync("coupon");
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CouponDbContext>();

        var coupon = new CouponEntity { Id = Guid.NewGuid(), Name = "batch", DiscountAmount = 1m, TotalQuantity = 1, CreatedAt = DateTimeOffset.UtcNow };
        db.Coupons.Add(coupon);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        // Accepted in list order, which is the order they are decided in, whatever their ids.
        // With a fraction of a millisecond: EF Core's binary form keeps a tenth of one.
        var accepted = new DateTimeOffset(2026, 12, 7, 11, 30, 15, 123, TimeSpan.Zero).AddTicks(4_000);
        var requests = new[] { (User: 30L, Key: "k-30"), (User: 10L, Key: null), (User: 20L, Key: "k-20") }
            .Select((r, i) => new IssueRequestEntity
            {
                Id = Guid.NewGuid(), CouponId = coupon.Id, UserId = r.User, Status = IssueRequestStatus.Pending, IdempotencyKey = r.Key,
                AcceptedAt = accepted.AddMilliseconds(i),
            }).ToList();
        await SaveAsync(db, new AcceptedRequestBatch(postgres: false, requests));
        var pending = await PendingRequests.OldestAsync(db, coupon.Id, 10, CancellationToken.None);
        Assert.Equal(requests.Select(r => (r.Id, r.UserId, r.IdempotencyKey, r.AcceptedAt)), pending.Select(r => (r.Id, r.UserId, r.IdempotencyKey, r.AcceptedAt)));

        // A taken Idempotency-Key is the DbUpdateException SaveChanges would throw, and its batch leaves nothing behind.
        var fresh = new IssueRequestEntity { Id = Guid.NewGuid(), CouponId = coupon.Id, UserId = 40, Status = IssueRequestStatus.Pending, AcceptedAt = accepted };
        var retry = new IssueRequestEntity { Id = Guid.NewGuid(), CouponId = coupon.Id, UserId = 30, Status = IssueRequestStatus.Pending, IdempotencyKey = "k-30", AcceptedAt = accepted };
        await Assert.ThrowsAsync<DbUpdateException>(() => SaveAsync(db, new AcceptedRequestBatch(postgres: false, [fresh, retry])));
        Assert.Equal(3, await db.IssueRequests.CountAsync());

        // The first two decided: one issued (the stock), one sold out.
        var decidedAt = accepted.AddSeconds(1);
        var userCouponId = Guid.NewGuid();
        var decided = new CouponEntity
        {
            Id = coupon.Id, Name = coupon.Name, TotalQuantity = 1, IssuedQuantity = 1, DecidedCount = 2, Version = 1, CreatedAt = coupon.CreatedAt,
        };
        Decide(pending[0], 1, IssueRequestStatus.Issued, null, userCouponId, decidedAt);
        Decide(pending[1], 2, IssueRequestStatus.Rejected, CouponRejectionReasons.SoldOut, null, decidedAt);
        var batch = new IssueDecisionBatch(postgres: false, decided, expectedVersion: 0, pending[..2], [(userCouponId, 30)], decidedAt);
        await SaveAsync(db, batch);

        var rows = await db.IssueRequests.AsNoTracking().ToDictionaryAsync(r => r.Id);
        Assert.Equal((IssueRequestStatus.Issued, (long?)1, (string?)null, (Guid?)userCouponId, (DateTimeOffset?)decidedAt),
            (rows[requests[0].Id].Status, rows[requests[0].Id].Position, rows[requests[0].Id].Reason, rows[requests[0].Id].UserCouponId, rows[requests[0].Id].DecidedAt));
        Assert.Equal((IssueRequestStatus.Rejected, (long?)2, (string?)CouponRejectionReasons.SoldOut, (Guid?)null, (DateTimeOffset?)decidedAt),
            (rows[requests[1].Id].Status, rows[requests[1].Id].Position, rows[requests[1].Id].Reason, rows[requests[1].Id].UserCouponId, rows[requests[1].Id].DecidedAt));
        Assert.Equal((IssueRequestStatus.Pending, (long?)null, (DateTimeOffset?)null),
            (rows[requests[2].Id].Status, rows[requests[2].Id].Position, rows[requests[2].Id].DecidedAt));
        var userCoupon = await db.UserCoupons.AsNoTracking().SingleAsync(u => u.Id == userCouponId);
        Assert.Equal((coupon.Id, 30L, UserCouponStatus.Available, decidedAt, (DateTimeOffset?)null, (Guid?)null, 0L),
            (userCoupon.CouponId, userCoupon.UserId, userCoupon.Status, userCoupon.IssuedAt, userCoupon.UsedAt, userCoupon.UsedByOrderId, userCoupon.Version));
        var saved = await db.Coupons.AsNoTracking().SingleAsync(c => c.Id == coupon.Id);
        Assert.Equal((1, 2L, 1L), (saved.IssuedQuantity, saved.DecidedCount, saved.Version));

        // A second batch made from the same version (a racing instance) is refused before it writes anything.
        var late = await PendingRequests.OldestAsync(db, coupon.Id, 10, CancellationToken.None);
        Decide(late[0], 3, IssueRequestStatus.Rejected, CouponRejectionReasons.SoldOut, null, decidedAt);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => SaveAsync(db,
            new IssueDecisionBatch(postgres: false, Counters(decided, 3, 2), expectedVersion: 0, late, [], decidedAt)));
        // So is a batch at the right version holding a request decided meanwhile; its coupon update is rolled back with it.
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => SaveAsync(db,
            new IssueDecisionBatch(postgres: false, Counters(decided, 3, 2), expectedVersion: 1, [late[0], pending[1]], [], decidedAt)));
        Assert.Equal(1L, (await db.Coupons.AsNoTracking().SingleAsync(c => c.Id == coupon.Id)).Version);
        Assert.Equal(IssueRequestStatus.Pending, (await db.IssueRequests.AsNoTracking().SingleAsync(r => r.Id == requests[2].Id)).Status);
        Assert.Equal(1, await db.UserCoupons.CountAsync());
    }

    static CouponEntity Counters(CouponEntity coupon, long decidedCount, long version) => new()
    {
        Id = coupon.Id, Name = coupon.Name, TotalQuantity = coupon.TotalQuantity, IssuedQuantity = coupon.IssuedQuantity,
        DecidedCount = decidedCount, Version = version, CreatedAt = coupon.CreatedAt,
    };

    static void Decide(IssueRequestEntity request, long position, string status, string? reason, Guid? userCouponId, DateTimeOffset at)
    {
        request.Position = position;
        request.Status = status;
        request.Reason = reason;
        request.UserCouponId = userCouponId;
        request.DecidedAt = at;
    }

    static async Task SaveAsync(CouponDbContext db, AcceptedRequestBatch batch)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await batch.SaveAsync(db, CancellationToken.None);
        await transaction.CommitAsync();
    }

    static async Task SaveAsync(CouponDbContext db, IssueDecisionBatch batch)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await batch.SaveAsync(db, CancellationToken.None);
        await transaction.CommitAsync();
    }
}
