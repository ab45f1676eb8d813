using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Balance;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.DataPlatform;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>The whole suite, every service the built one as a child process on a real Kafka node and PostgreSQL (a database
/// each): balances charged over the balance service's HTTP API, coupons issued through a real flash sale on the coupon
/// service, 500 concurrent orders over 20 products with limited stock from 100 users with mixed balances, 30 with a coupon
/// (some used twice, so refused) — and the order service SIGKILLed half-way and started again. Every order ends Completed or
/// Failed; stock is never negative and equals its initial level minus completed quantities; each user's balance (asked of
/// the balance service) is its charge minus its completed payments; a user-coupon is Used exactly when a completed order used
/// it; the data platform counts exactly the completed orders and their revenue.</summary>
public sealed class FourServiceOrderTests(ITestOutputHelper output)
{
    const int Orders = 500;
    const int Products = 20;
    const int Users = 100;
    const int UsersWithCoupons = 30;
    const int Concurrency = 32;

    [Fact]
    public async Task Orders_across_order_balance_coupon_and_data_platform_stay_consistent_across_a_kill_of_the_order_service()
    {
        await using var environment = await ServiceEnvironment.CreateAsync("suite", DatabaseKind.PostgreSql, output);
        var started = await Task.WhenAll(
            environment.StartInstanceAsync("balance", "balance"),
            environment.StartInstanceAsync("coupon", "coupon"),
            environment.StartInstanceAsync("data-platform", "data-platform"),
            StartOrderServiceAsync(environment, "order-a", waitHealthy: false));
        await Task.WhenAll(started.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(180))));
        var (balance, coupon, dataPlatform, first) = (started[0], started[1], started[2], started[3]);
        await environment.WaitForOwnersAsync("order", Topics.BalanceActivity, [first]);
        await environment.WaitForOwnersAsync("balance", Topics.BalanceCommands, [balance]);
        await environment.WaitForOwnersAsync("coupon", Topics.CouponCommands, [coupon]);

        using var balances = new BalanceApi(balance.BaseAddress, Concurrency);
        using var coupons = new CouponApi(coupon.BaseAddress, Concurrency);
        using var stats = new DataPlatformApi(dataPlatform.BaseAddress);
        using var client = new OrderClient(first.BaseAddress);
        var random = new Random(20_261_122);

        var initialBalance = new Dictionary<long, decimal>();
        for (long user = 1; user <= Users; user++)
        {
            // A quarter of the users can afford only about one small order.
            initialBalance[user] = user % 4 == 0 ? 15m : 500m;
            var (status, _) = await balances.ChargeAsync(user, initialBalance[user], $"charge-{user}");
            Assert.Equal(System.Net.HttpStatusCode.OK, status);
        }

        // A flash sale with enough stock for the first 30 users, each asking once; their user-coupons pay part of some orders.
        var couponId = await coupons.CreateCouponAsync("suite-5", 5m, UsersWithCoupons);
        var requests = new List<Guid>();
        for (long user = 1; user <= UsersWithCoupons; user++)
            requests.Add((await coupons.RequestAsync(couponId, user, $"coupon-{user}")).RequestId ?? throw new InvalidOperationException("not accepted"));
        var userCoupons = new Dictionary<long, Guid>();
        await Poll.UntilAsync(async _ =>
        {
            foreach (var request in requests)
            {
                var answer = await coupons.GetRequestAsync(request);
                if (answer.GetProperty("status").GetString() != "Issued")
                    return false;
                userCoupons[answer.GetProperty("userId").GetInt64()] = answer.GetProperty("userCouponId").GetGuid();
            }

            return true;
        }, TimeSpan.FromSeconds(60), "the coupons to be issued");

        var initialStock = new Dictionary<Guid, int>();
        for (var i = 0; i < Products; i++)
            initialStock[await client.CreateProductAsync(1m + i + 0.25m * (i % 4), random.Next(20, 61))] = 0;
        var orderTables = new OrderDatabase(await environment.DatabaseAsync("order"));
        foreach (var (id, level) in await orderTables.StockAsync())
            initialStock[id] = level;
        var products = initialStock.Keys.ToList();

        var plan = Enumerable.Range(0, Orders).Select(i =>
        {
            var user = random.NextInt64(1, Users + 1);
            var lines = products.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(p => (p, random.Next(1, 4))).ToList();
            Guid? userCoupon = userCoupons.TryGetValue(user, out var c) && random.NextDouble() < 0.4 ? c : null;
            return new PlannedOrder($"order-{i}", user, userCoupon, lines);
        }).ToList();

        environment.Log.Write($"[test] placing {Orders} orders, {Concurrency} at a time, killing the order service half-way");
        var clock = Stopwatch.StartNew();
        var accepted = 0;
        Task<ServiceProcess>? restart = null;
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (order, _) =>
        {
            await client.PlaceAsync(order, DateTimeOffset.UtcNow.AddMinutes(3));
            if (Interlocked.Increment(ref accepted) == Orders / 2)
                restart = KillAndRestartAsync(environment, first, client);
        });
        Assert.NotNull(restart);
        var second = await restart;

        await Poll.UntilAsync(async _ =>
        {
            if (second.HasExited)
                throw new InvalidOperationException($"The restarted order service exited:{Environment.NewLine}{second.RecentOutput}");
            return await orderTables.CountAsync() == Orders && await orderTables.PendingAsync() == 0 && await orderTables.OutboxBacklogAsync() == 0;
        }, TimeSpan.FromSeconds(180), "every order to end and the order outbox to drain", interval: TimeSpan.FromMilliseconds(250));
        environment.Log.Write($"[test] every order ended {clock.Elapsed.TotalSeconds:0.0} s after the first was placed");

        var orders = await orderTables.OrdersAsync();
        var completed = orders.Where(o => o.Status == "Completed").ToList();
        var failed = orders.Where(o => o.Status == "Failed").ToList();
        environment.Log.Write($"[test] {completed.Count} completed, failed: " +
            string.Join(", ", failed.GroupBy(o => o.FailureReason).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Equal(Orders, completed.Count + failed.Count);
        Assert.NotEmpty(completed);
        Assert.Contains(failed, o => o.FailureReason == "OutOfStock");
        Assert.Contains(failed, o => o.FailureReason == "PaymentRejected");
        Assert.All(completed, o => Assert.Equal(o.TotalAmount - o.DiscountAmount, o.PaidAmount));

        // Stock: never negative, exactly the initial level minus what completed orders took.
        var completedIds = completed.Select(o => o.Id).ToHashSet();
        var taken = (await orderTables.LinesAsync()).Where(l => completedIds.Contains(l.OrderId))
            .GroupBy(l => l.ProductId).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var stock = await orderTables.StockAsync();
        Assert.All(products, p => Assert.Equal(initialStock[p] - taken.GetValueOrDefault(p), stock[p]));
        Assert.All(products, p => Assert.True(stock[p] >= 0));

        // The other services settle once the compensations the saga sent last have been applied.
        var paid = completed.GroupBy(o => o.UserId).ToDictionary(g => g.Key, g => g.Sum(o => o.PaidAmount));
        var used = completed.Where(o => o.UserCouponId is not null).Select(o => o.UserCouponId!.Value).ToHashSet();
        var expectedRevenue = completed.Sum(o => o.PaidAmount);
        var charges = initialBalance.Values.Sum();
        string? mismatch = null;
        await Poll.UntilAsync(async _ =>
        {
            foreach (var (user, charged) in initialBalance)
            {
                var actual = await balances.BalanceAsync(user);
                if (actual != charged - paid.GetValueOrDefault(user))
                    return Mismatch($"user {user}: balance {actual}, expected {charged - paid.GetValueOrDefault(user)}");
            }

            foreach (var (user, userCoupon) in userCoupons)
            {
                var held = (await coupons.GetUserCouponsAsync(user)).EnumerateArray().Single(c => c.GetProperty("userCouponId").GetGuid() == userCoupon);
                var expected = used.Contains(userCoupon) ? "Used" : "Available";
                if (held.GetProperty("status").GetString() != expected)
                    return Mismatch($"user-coupon {userCoupon}: {held.GetProperty("status").GetString()}, expected {expected}");
            }

            var totals = await stats.StatsAsync();
            if (totals.GetProperty("completedOrders").GetInt64() != completed.Count || totals.GetProperty("revenue").GetDecimal() != expectedRevenue
                || totals.GetProperty("couponsIssued").GetInt64() != UsersWithCoupons || totals.GetProperty("balanceCharged").GetDecimal() != charges)
            {
                return Mismatch($"data platform: {totals}, expected {completed.Count} orders, revenue {expectedRevenue}, " +
                    $"{UsersWithCoupons} coupons issued, {charges} charged");
            }

            return true;
        }, TimeSpan.FromSeconds(90), "balances, coupons and the data platform to match the completed orders");
        environment.Log.Write($"[test] balances, coupons and data platform agree {clock.Elapsed.TotalSeconds:0.0} s after the first order");
        Assert.Null(mismatch);
        Assert.Equal(0, await orderTables.DeadLettersAsync());
        Assert.True(first.HasExited, "the first order instance was never killed");

        bool Mismatch(string description)
        {
            mismatch = description;
            return false;
        }
    }

    static async Task<ServiceProcess> StartOrderServiceAsync(ServiceEnvironment environment, string name, bool waitHealthy = true)
    {
        var instance = await environment.StartInstanceAsync("order", name, new Dictionary<string, string>
        {
            ["Order__Timeout"] = "00:00:30",
            ["Order__SweepInterval"] = "00:00:00.500",
        });
        if (waitHealthy)
            await instance.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return instance;
    }

    static async Task<ServiceProcess> KillAndRestartAsync(ServiceEnvironment environment, ServiceProcess victim, OrderClient client)
    {
        environment.Log.Write($"[test] killing {victim.Name} (pid {victim.Pid}) with SIGKILL");
        await victim.KillAsync();
        var restarted = await StartOrderServiceAsync(environment, "order-b");
        // The dead member keeps its partitions until the brokers' session timeout; then they are the new instance's.
        await environment.WaitForOwnersAsync("order", Topics.BalanceActivity, [restarted]);
        client.Target = restarted.BaseAddress;
        environment.Log.Write($"[test] {restarted.Name} is serving");
        return restarted;
    }
}
