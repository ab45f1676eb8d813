using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Component.Tests.Http;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace ECommerce.Component.Tests.Coupon;

/// <summary>The order saga's side of coupons: use and restore, idempotent by order id, answered with events.</summary>
public sealed class CouponUsageTests
{
    [Fact]
    public async Task UseAndRestoreAreIdempotentByOrderAndRejectWhatIsNotTheUsers()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5, discount: 7.5m);
        var decision = await CouponApi.DecidedAsync(client, await CouponApi.RequestIdAsync(client, couponId, userId: 1));
        var userCouponId = decision.GetProperty("userCouponId").GetGuid();
        var (orderA, orderB) = (Guid.NewGuid(), Guid.NewGuid());

        await SendAsync(service, new UseCoupon(orderA, 1, userCouponId));
        var used = await AnswerAsync<CouponUsed>(service, 1);
        Assert.Equal((orderA, couponId, 7.5m), (used[0].OrderId, used[0].CouponId, used[0].DiscountAmount));
        Assert.Equal("Used", await StatusAsync(client, 1));

        await SendAsync(service, new UseCoupon(orderA, 1, userCouponId));
        Assert.Equal(orderA, (await AnswerAsync<CouponUsed>(service, 2))[1].OrderId);

        await SendAsync(service, new UseCoupon(orderB, 1, userCouponId));
        await SendAsync(service, new UseCoupon(orderB, 2, userCouponId));
        await SendAsync(service, new UseCoupon(orderB, 1, Guid.NewGuid()));
        var rejected = await AnswerAsync<CouponUseRejected>(service, 3);
        Assert.Equal(["NotAvailable", "NotFound", "NotOwner"], rejected.Select(r => r.Reason).Order(StringComparer.Ordinal));
        Assert.Contains(rejected, r => r.Reason == "NotFound" && r.CouponId == Guid.Empty);

        await SendAsync(service, new RestoreCoupon(orderB, 1, userCouponId));
        await SendAsync(service, new RestoreCoupon(orderA, 1, userCouponId));
        await SendAsync(service, new RestoreCoupon(orderA, 1, userCouponId));
        var restored = await AnswerAsync<CouponRestored>(service, 1);
        Assert.Equal(orderA, restored[0].OrderId);
        await Eventually.TrueAsync(() => service.Tap.Consumed.Count(c => c.MessageType == typeof(RestoreCoupon)) == 3, "every restore consumed");
        Assert.Single(await OutboxAsync<CouponRestored>(service));
        Assert.Equal("Available", await StatusAsync(client, 1));
    }

    static async Task SendAsync<T>(CouponServiceFactory service, T command) where T : class
    {
        var bus = (IBus)service.Services.GetService(typeof(IBus))!;
        var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{Topics.CouponCommands}"));
        await endpoint.Send(command, c => c.MessageId = NewId.NextGuid());
    }

    static Task<List<T>> AnswerAsync<T>(CouponServiceFactory service, int count) =>
        Eventually.UntilAsync(() => OutboxAsync<T>(service), rows => rows.Count >= count, $"{count} {typeof(T).Name} answers");

    static Task<List<T>> OutboxAsync<T>(CouponServiceFactory service) =>
        service.InScopeAsync(async db => (await OutboxHistory.Rows(db)
                .Where(m => m.MessageType == typeof(T).FullName).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => JsonSerializer.Deserialize<T>(m.Body, JsonSerializerOptions.Web)!).ToList());

    static async Task<string?> StatusAsync(HttpClient client, long userId)
    {
        var coupons = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/users/{userId}/coupons", UriKind.Relative));
        return coupons[0].GetProperty("status").GetString();
    }
}
