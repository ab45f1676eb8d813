using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Component.Tests.Http;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.Contracts.Users;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace ECommerce.Component.Tests.Coupon;

/// <summary>First-come-first-served issuing through the coupon-issue topic, on the real coupon service over the in-memory
/// transport.</summary>
public sealed class CouponIssuingTests
{
    [Fact]
    public async Task FirstComeFirstServedUntilSoldOutAndOnePerUser()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 2);

        var first = await CouponApi.RequestIdAsync(client, couponId, userId: 1);
        var again = await CouponApi.RequestIdAsync(client, couponId, userId: 1);
        var second = await CouponApi.RequestIdAsync(client, couponId, userId: 2);
        var third = await CouponApi.RequestIdAsync(client, couponId, userId: 3);

        var decisions = await Task.WhenAll(new[] { first, again, second, third }.Select(id => CouponApi.DecidedAsync(client, id)));
        AssertDecision(decisions[0], "Issued", null);
        AssertDecision(decisions[1], "Rejected", "AlreadyIssued");
        AssertDecision(decisions[2], "Issued", null);
        AssertDecision(decisions[3], "Rejected", "SoldOut");

        var coupon = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/coupons/{couponId}", UriKind.Relative));
        Assert.Equal(2, coupon.GetProperty("issuedQuantity").GetInt32());
        Assert.Equal(0, coupon.GetProperty("remainingQuantity").GetInt32());

        var held = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/users/1/coupons", UriKind.Relative));
        var only = Assert.Single(held.EnumerateArray());
        Assert.Equal(couponId, only.GetProperty("couponId").GetGuid());
        Assert.Equal("Available", only.GetProperty("status").GetString());
        Assert.Equal(decisions[0].GetProperty("userCouponId").GetGuid(), only.GetProperty("userCouponId").GetGuid());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>(new Uri("/api/users/3/coupons", UriKind.Relative))).EnumerateArray());

        // Every accepted request and every decision went out through the outbox.
        await Eventually.TrueAsync(() => service.Tap.Sent.Count(s => s.MessageType == typeof(CouponIssueRequested)) == 4
            && service.Tap.Sent.Count(s => s.MessageType == typeof(UserRequestedCoupon)) == 4
            && service.Tap.Sent.Count(s => s.MessageType == typeof(CouponIssued)) == 2
            && service.Tap.Sent.Count(s => s.MessageType == typeof(CouponIssueRejected)) == 2, "request and decision events");
    }

    [Fact]
    public async Task ConcurrentRequestsNeverOverIssueAndAreDecidedInAcceptanceOrder()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        const int stock = 25;
        var couponId = await CouponApi.CreateCouponAsync(client, stock);

        // 60 users, 20 of whom ask twice, all at once.
        var users = Enumerable.Range(1, 60).Concat(Enumerable.Range(1, 20)).Select(u => (long)u).ToArray();
        var requestIds = await Task.WhenAll(users.Select(u => CouponApi.RequestIdAsync(client, couponId, u)));
        await Task.WhenAll(requestIds.Select(id => CouponApi.DecidedAsync(client, id)));

        var requests = await service.InScopeAsync(db => db.Set<ECommerce.Coupon.Issuing.IssueRequestEntity>().AsNoTracking()
            .Where(r => r.CouponId == couponId).OrderBy(r => r.Position).ToListAsync());
        Assert.Equal(Enumerable.Range(1, users.Length).Select(n => (long?)n), requests.Select(r => r.Position));

        // The winners are exactly the first `stock` distinct users in acceptance order; a user's later request is AlreadyIssued
        // if the earlier one won, SoldOut otherwise.
        var expectedWinners = requests.Select(r => r.UserId).Distinct().Take(stock).ToHashSet();
        var seen = new HashSet<long>();
        foreach (var request in requests)
        {
            var firstOfUser = seen.Add(request.UserId);
            if (firstOfUser && expectedWinners.Contains(request.UserId))
                Assert.Equal(("Issued", (string?)null), (request.Status, request.Reason));
            else if (!firstOfUser && expectedWinners.Contains(request.UserId))
                Assert.Equal(("Rejected", (string?)"AlreadyIssued"), (request.Status, request.Reason));
            else
                Assert.Equal(("Rejected", (string?)"SoldOut"), (request.Status, request.Reason));
        }

        var issued = await service.InScopeAsync(db => db.Set<ECommerce.Coupon.Issuing.UserCouponEntity>().CountAsync(u => u.CouponId == couponId));
        Assert.Equal(stock, issued);
    }

    [Fact]
    public async Task IdempotencyKeyReturnsTheFirstRequest()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);

        var first = await CouponApi.RequestIdAsync(client, couponId, 7, idempotencyKey: "retry-1");
        var retried = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => CouponApi.RequestIdAsync(client, couponId, 7, idempotencyKey: "retry-1")));
        Assert.All(retried, id => Assert.Equal(first, id));

        using var misuse = await CouponApi.RequestAsync(client, couponId, new { userId = 8 }, "retry-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, misuse.StatusCode);

        await CouponApi.DecidedAsync(client, first);
        Assert.Equal(1, await service.InScopeAsync(db => db.Set<ECommerce.Coupon.Issuing.IssueRequestEntity>().CountAsync()));

        // After the decision a retry still gets the first answer, not the request's current state.
        using var late = await CouponApi.RequestAsync(client, couponId, new { userId = 7 }, "retry-1");
        Assert.Equal(HttpStatusCode.Accepted, late.StatusCode);
        var body = await late.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first, body.GetProperty("requestId").GetGuid());
        Assert.Equal("Pending", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("userCouponId").ValueKind);
        Assert.Equal($"/api/coupon-issue-requests/{first}", late.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ARequestAnsweredBeforeAnotherIsSentIsDecidedFirst()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        const int stock = 10;
        var couponId = await CouponApi.CreateCouponAsync(client, stock);

        // 30 users one after another (each request sent only once the previous one was accepted), while 30 other users race
        // for the same coupon: the sequential ones must be decided in their order, whatever the racers do.
        var racers = Task.WhenAll(Enumerable.Range(1_000, 30).Select(u => CouponApi.RequestIdAsync(client, couponId, u)));
        var sequential = new List<Guid>();
        for (var user = 1; user <= 30; user++)
            sequential.Add(await CouponApi.RequestIdAsync(client, couponId, user));
        await Task.WhenAll((await racers).Concat(sequential).Select(id => CouponApi.DecidedAsync(client, id)));

        var positions = await service.InScopeAsync(db => db.Set<ECommerce.Coupon.Issuing.IssueRequestEntity>().AsNoTracking()
            .Where(r => sequential.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Position));
        var ordered = sequential.Select(id => positions[id]).ToList();
        Assert.Equal(ordered.Order(), ordered);
        var decisions = await Task.WhenAll(sequential.Select(id => CouponApi.DecidedAsync(client, id)));
        // Once one sequential request was sold out, every later one is too.
        var statuses = decisions.Select(d => d.GetProperty("status").GetString()).ToList();
        Assert.Equal(statuses.OrderBy(s => s == "Rejected" ? 1 : 0), statuses);
    }

    [Fact]
    public async Task BadRequestsAreRejectedAndNeverReachTheTopic()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);

        using var unknown = await CouponApi.RequestAsync(client, Guid.NewGuid(), new { userId = 1 });
        using var zero = await CouponApi.RequestAsync(client, couponId, new { userId = 0 });
        using var missing = await CouponApi.RequestAsync(client, couponId, new { });
        using var unknownRequest = await client.GetAsync(new Uri($"/api/coupon-issue-requests/{Guid.NewGuid()}", UriKind.Relative));
        using var badUser = await client.GetAsync(new Uri("/api/users/-4/coupons", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("userId", await zero.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRequest.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badUser.StatusCode);
        Assert.Equal(0, await service.InScopeAsync(db => OutboxHistory.Rows(db).CountAsync(m => m.Topic == Topics.CouponIssue && m.MessageType != typeof(CouponCreated).FullName)));
    }

    [Fact]
    public async Task RedeliveredIssueRequestChangesNothing()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);
        var requestId = await CouponApi.RequestIdAsync(client, couponId, 1);
        await CouponApi.DecidedAsync(client, requestId);
        var original = await service.InScopeAsync(db => OutboxHistory.Rows(db).SingleAsync(m => m.MessageType == typeof(CouponIssueRequested).FullName));

        // The same message again (a broker redelivery), and a copy with a new id (a duplicate publish by a retrying client).
        var bus = service.Services.GetService(typeof(IBus)) as IBus;
        var endpoint = await bus!.GetSendEndpoint(new Uri($"exchange:{Topics.CouponIssue}"));
        var message = new CouponIssueRequested(requestId, couponId, 1, DateTimeOffset.UtcNow);
        await endpoint.Send(message, c => c.MessageId = original.Id);
        await endpoint.Send(message, c => c.MessageId = NewId.NextGuid());
        await Eventually.TrueAsync(() => service.Tap.Consumed.Count(c => c.MessageType == typeof(CouponIssueRequested)) >= 3, "both copies consumed");

        var coupon = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/coupons/{couponId}", UriKind.Relative));
        Assert.Equal(1, coupon.GetProperty("issuedQuantity").GetInt32());
        Assert.Equal(1, await service.InScopeAsync(db => OutboxHistory.Rows(db).CountAsync(m => m.MessageType == typeof(CouponIssued).FullName)));
    }

    static void AssertDecision(JsonElement decision, string status, string? reason)
    {
        Assert.Equal(status, decision.GetProperty("status").GetString());
        Assert.Equal(reason, decision.GetProperty("reason").GetString());
        Assert.Equal(status == "Issued", decision.GetProperty("userCouponId").ValueKind == JsonValueKind.String);
    }
}
