using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Users;
using Xunit;

namespace ECommerce.Component.Tests.Balance;

/// <summary>Charging over HTTP on the real balance service: answers, history, events, Idempotency-Key, validation and
/// concurrent charges of one user.</summary>
public sealed class BalanceChargeTests
{
    [Fact]
    public async Task ChargesAnswerTheNewBalanceAndAreNumberedInTheHistoryWithTheirEvents()
    {
        await using var service = await BalanceServiceHost.StartAsync();

        Assert.Equal(10.5m, await service.ChargedAsync(7, 10.50m));
        Assert.Equal(10.51m, await service.ChargedAsync(7, 0.01m));
        Assert.Equal(10_000_010.51m, await service.ChargedAsync(7, 10_000_000m));
        Assert.Equal(3m, await service.ChargedAsync(8, 3m));

        Assert.Equal(10_000_010.51m, await service.BalanceAsync(7));
        var history = await service.HistoryAsync(7);
        Assert.Equal([10.5m, 0.01m, 10_000_000m], history.Select(h => h.Amount));
        Assert.All(history, h => Assert.Equal(("Charged", (Guid?)null), (h.Type, h.OrderId)));
        LedgerAssert.Consistent(history, 10_000_010.51m);
        LedgerAssert.Consistent(await service.HistoryAsync(8), 3m);

        var charged = (await service.EventsAsync<BalanceCharged>()).Where(e => e.UserId == 7).ToList();
        Assert.Equal([(1L, 10.5m), (2L, 10.51m), (3L, 10_000_010.51m)], charged.Select(e => (e.Sequence, e.BalanceAfter)));
        Assert.Equal(charged.Select(c => c.ChargeId), (await service.EventsAsync<UserChargedBalance>()).Where(e => e.UserId == 7).Select(e => e.ChargeId));
        // Published after commit by the relay, keyed by the user.
        await Eventually.TrueAsync(() => service.Tap.Sent.Count(s => s.MessageType == typeof(BalanceCharged)) == 4
            && service.Tap.Sent.Count(s => s.MessageType == typeof(UserChargedBalance)) == 4, "charged events published");
    }

    [Fact]
    public async Task AUserNeverSeenHasZeroBalanceAndNoHistory()
    {
        await using var service = await BalanceServiceHost.StartAsync();

        Assert.Equal(0m, await service.BalanceAsync(123_456_789_012));
        Assert.Empty(await service.HistoryAsync(123_456_789_012));
    }

    [Theory]
    [InlineData("0", """{"amount":1}""", "userId")]
    [InlineData("-4", """{"amount":1}""", "userId")]
    [InlineData("abc", """{"amount":1}""", "userId")]
    [InlineData("99999999999999999999", """{"amount":1}""", "userId")]
    [InlineData("7", """{"amount":0}""", "amount")]
    [InlineData("7", """{"amount":-5}""", "amount")]
    [InlineData("7", """{"amount":1.234}""", "amount")]
    [InlineData("7", """{"amount":10000000.01}""", "amount")]
    [InlineData("7", """{}""", "amount")]
    [InlineData("7", """{"amount":"ten"}""", "amount")]
    [InlineData("7", """{"amount":null}""", "amount")]
    public async Task ABadChargeIsA400NamingTheFieldAndChangesNothing(string userId, string body, string field)
    {
        await using var service = await BalanceServiceHost.StartAsync();

        using var response = await service.ChargeAsync(userId, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Equal(0, await service.InScopeAsync(db => Task.FromResult(db.Entries.Count())));
        Assert.Empty(await service.EventsAsync<BalanceCharged>());
    }

    [Theory]
    [InlineData("/api/users/0/balance")]
    [InlineData("/api/users/x/balance")]
    [InlineData("/api/users/-1/balance/history")]
    [InlineData("/api/users/1.5/balance/history")]
    public async Task ABadUserIdOnAReadIsA400NamingIt(string path)
    {
        await using var service = await BalanceServiceHost.StartAsync();

        using var response = await service.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("userId", out _), problem.ToString());
    }

    [Fact]
    public async Task TheSameIdempotencyKeyReturnsTheFirstResultAndChargesOnce()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        await service.ChargedAsync(7, 1m);

        Assert.Equal(6m, await service.ChargedAsync(7, 5m, "charge-1"));
        await service.ChargedAsync(7, 2m);
        // Sequential and concurrent retries alike: the first charge's answer, no second charge.
        Assert.Equal(6m, await service.ChargedAsync(7, 5m, "charge-1"));
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => service.ChargedAsync(7, 3m, "charge-2")));
        Assert.All(concurrent, b => Assert.Equal(11m, b));

        using var otherAmount = await service.ChargeAsync(7, new { amount = 6m }, "charge-1");
        using var otherUser = await service.ChargeAsync(8, new { amount = 5m }, "charge-1");
        using var tooLong = await service.ChargeAsync(7, new { amount = 5m }, new string('k', 201));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherAmount.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherUser.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));

        Assert.Equal(11m, await service.BalanceAsync(7));
        Assert.Equal(0m, await service.BalanceAsync(8));
        LedgerAssert.Consistent(await service.HistoryAsync(7), 11m);
        Assert.Equal(4, (await service.HistoryAsync(7)).Count);
        Assert.Equal(4, (await service.EventsAsync<BalanceCharged>()).Count);
    }

    [Fact]
    public async Task ConcurrentChargesOfOneUserAreAllAppliedInOneGaplessSequence()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        const int charges = 200;
        var amounts = Enumerable.Range(1, charges).Select(i => i / 100m + 1m).ToArray();

        var answers = await Task.WhenAll(amounts.Select(a => service.ChargedAsync(42, a)));

        var total = amounts.Sum();
        Assert.Equal(total, await service.BalanceAsync(42));
        // Every answer is a distinct running total: no two charges saw the same balance.
        Assert.Equal(charges, answers.Distinct().Count());
        Assert.Equal(total, answers.Max());
        var history = await service.HistoryAsync(42);
        Assert.Equal(charges, history.Count);
        LedgerAssert.Consistent(history, total);
        Assert.Equal(answers.Order(), history.Select(h => h.BalanceAfter));

        // The events leave the outbox in the user's sequence order.
        var events = await service.EventsAsync<BalanceCharged>();
        Assert.Equal(Enumerable.Range(1, charges).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(history.Select(h => h.BalanceAfter), events.Select(e => e.BalanceAfter));
    }
}
