using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>The order service as it runs in production (the built service, a child process, on a real Kafka node and
/// PostgreSQL or SQLite), with the balance and coupon services played by <see cref="CommandDouble"/> in the test process
/// (<see cref="FourServiceOrderTests"/> runs the real ones). 500 concurrent orders over 20 products with
/// limited stock from 100 users with mixed balances, some with coupons (some reused, so refused): every order ends Completed or
/// Failed; no stock is negative and each equals its initial stock minus the completed quantities; each user's balance is its
/// charge minus its completed payments; the coupons in use are exactly those of completed orders; order-completed carries
/// exactly the completed orders — while the order service is SIGKILLed half-way through the load and started again (a run
/// without the kill checks nothing more: every invariant is the same, and the 3-minute budget of these tests on both databases
/// leaves room for one run each). And with two order-service instances, one SIGKILLed half-way while the other carries on: it
/// gets the partitions (after the brokers' session timeout) and the outbox lease. And with the broker SIGKILLed half-way and
/// started again 3 s later (PostgreSQL): the order service and the double find it again by themselves while orders are in
/// every step of the saga, and every invariant holds.</summary>
public sealed class OrderSagaTests(ITestOutputHelper output)
{
    const string Service = "order";
    const int Orders = 500;
    const int Products = 20;
    const int Users = 100;
    const int UsersWithCoupons = 30;
    const int Concurrency = 32;
    const decimal Discount = 5m;

    [Theory]
    [InlineData(DatabaseKind.PostgreSql, OrderFault.KillService)]
    [InlineData(DatabaseKind.Sqlite, OrderFault.KillService)]
    [InlineData(DatabaseKind.PostgreSql, OrderFault.KillOneOfTwo)]
    [InlineData(DatabaseKind.PostgreSql, OrderFault.CrashBroker)]
    public async Task Concurrent_orders_all_end_with_stock_balances_and_coupons_consistent_across_a_fault(DatabaseKind database, OrderFault fault)
    {
        await using var ownBroker = fault == OrderFault.CrashBroker ? await KafkaNode.StartAsync(Brokers.Options()) : null;
        await using var environment = await ServiceEnvironment.CreateAsync("order-saga", database, output, ownBroker);
        var random = new Random(20_261_122);
        var ledger = new DoubleLedger();
        var initialBalance = new Dictionary<long, decimal>();
        var coupons = new Dictionary<long, Guid>();
        for (long user = 1; user <= Users; user++)
        {
            // A quarter of the users can afford only about one small order.
            initialBalance[user] = user % 4 == 0 ? 15m : 500m;
            ledger.Charge(user, initialBalance[user]);
            if (user <= UsersWithCoupons)
                coupons[user] = ledger.IssueCoupon(user, Discount);
        }

        await using var commandDouble = await CommandDouble.StartAsync(environment, ledger);
        var twoInstances = fault == OrderFault.KillOneOfTwo;
        var first = await StartOrderServiceAsync(environment, "order-a");
        var partner = twoInstances ? await StartOrderServiceAsync(environment, "order-b", first) : null;
        using var client = new OrderClient(first.BaseAddress);

        var initialStock = new Dictionary<Guid, int>();
        for (var i = 0; i < Products; i++)
            initialStock[await client.CreateProductAsync(1m + i + 0.25m * (i % 4), random.Next(20, 61))] = 0;
        foreach (var (id, level) in await new OrderDatabase(await environment.DatabaseAsync(Service)).StockAsync())
            initialStock[id] = level;
        var products = initialStock.Keys.ToList();

        var plan = Enumerable.Range(0, Orders).Select(i =>
        {
            var user = random.NextInt64(1, Users + 1);
            var lines = products.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(p => (p, random.Next(1, 4))).ToList();
            Guid? coupon = coupons.TryGetValue(user, out var c) && random.NextDouble() < 0.4 ? c : null;
            return new PlannedOrder($"order-{i}", user, coupon, lines);
        }).ToList();

        environment.Log.Write($"[test] placing {Orders} orders, {Concurrency} at a time, with {fault} half-way");
        var clock = Stopwatch.StartNew();
        var accepted = 0;
        Task<ServiceProcess>? restart = null;
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (order, _) =>
        {
            await client.PlaceAsync(order, DateTimeOffset.UtcNow.AddMinutes(2));
            if (Interlocked.Increment(ref accepted) == Orders / 2)
                restart = fault switch
                {
                    OrderFault.KillService => KillAndRestartAsync(environment, first, client),
                    OrderFault.KillOneOfTwo => KillAndFailOverAsync(environment, first, partner!, client),
                    _ => CrashBrokerAsync(environment, ownBroker!, first),
                };
        });
        environment.Log.Write($"[test] {Orders} orders accepted in {clock.Elapsed.TotalSeconds:0.0} s ({client.TransportFailures} transport failures retried)");
        Assert.NotNull(restart);
        var second = await restart;

        var tables = new OrderDatabase(await environment.DatabaseAsync(Service));
        try
        {
            await Poll.UntilAsync(async _ =>
            {
                if (second.HasExited)
                    throw new InvalidOperationException($"The restarted order service exited:{Environment.NewLine}{second.RecentOutput}");
                return await tables.CountAsync() == Orders && await tables.PendingAsync() == 0 && await tables.OutboxBacklogAsync() == 0;
            }, TimeSpan.FromSeconds(120), "every order to end and the outbox to drain", interval: TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException)
        {
            environment.Log.Write($"[test] stuck: {await tables.PendingAsync()} pending, {await tables.OutboxBacklogAsync()} unsent outbox rows, saga states "
                + string.Join(", ", (await tables.SagaStatesAsync()).GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}")));
            environment.Log.Write("[test] order group: " + await environment.DescribeGroupAsync(Service));
            throw;
        }
        environment.Log.Write($"[test] every order ended {clock.Elapsed.TotalSeconds:0.0} s after the first was placed");

        var orders = await tables.OrdersAsync();
        var completed = orders.Where(o => o.Status == "Completed").ToList();
        var failed = orders.Where(o => o.Status == "Failed").ToList();
        environment.Log.Write($"[test] {completed.Count} completed, failed: " +
            string.Join(", ", failed.GroupBy(o => o.FailureReason).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Equal(Orders, completed.Count + failed.Count);
        Assert.All(await tables.SagaStatesAsync(), s => Assert.Contains(s, new[] { "Completed", "Failed" }));
        Assert.All(completed, o => Assert.Equal(o.TotalAmount - o.DiscountAmount, o.PaidAmount));
        // A timeout is rare but legitimate here: an order caught by the kill waits for the restart on a loaded machine. Its
        // compensation (and that of a late answer) is covered by the invariants below like every other outcome.
        Assert.All(failed, o => Assert.Contains(o.FailureReason, new[] { "OutOfStock", "PaymentRejected", "CouponRejected", "Timeout" }));
        Assert.Contains(failed, o => o.FailureReason == "OutOfStock");
        Assert.Contains(failed, o => o.FailureReason == "PaymentRejected");
        Assert.NotEmpty(completed);

        // Stock: never negative, and exactly the initial stock minus what completed orders took.
        var completedIds = completed.Select(o => o.Id).ToHashSet();
        var taken = (await tables.LinesAsync()).Where(l => completedIds.Contains(l.OrderId))
            .GroupBy(l => l.ProductId).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var stock = await tables.StockAsync();
        foreach (var product in products)
        {
            Assert.True(stock[product] >= 0, $"product {product} has stock {stock[product]}");
            Assert.Equal(initialStock[product] - taken.GetValueOrDefault(product), stock[product]);
        }

        // Balances and coupons settle once the compensations sent at the end have been applied.
        var paid = completed.GroupBy(o => o.UserId).ToDictionary(g => g.Key, g => g.Sum(o => o.PaidAmount));
        var couponOf = completed.Where(o => o.UserCouponId is not null).ToDictionary(o => o.UserCouponId!.Value, o => o.Id);
        await Poll.UntilAsync(() =>
                initialBalance.All(u => ledger.BalanceOf(u.Key) == u.Value - paid.GetValueOrDefault(u.Key))
                && ledger.CouponUse().All(c => c.Value == (couponOf.TryGetValue(c.Key, out var order) ? order : null))
                && ledger.CompletedEvents.Keys.ToHashSet().SetEquals(completedIds),
            TimeSpan.FromSeconds(30), "balances, coupons and order-completed events to match the completed orders");
        Assert.Equal(0, await tables.DeadLettersAsync());
        if (fault == OrderFault.CrashBroker)
            Assert.False(first.HasExited, "the order service died with the broker");
        else
            Assert.True(first.HasExited, "the first instance was never killed");
    }

    /// <summary>SIGKILLs the broker, and starts it again (same ports, same log) after a 3 s outage, timed on the clock while the
    /// load goes on.</summary>
    static async Task<ServiceProcess> CrashBrokerAsync(ServiceEnvironment environment, KafkaNode broker, ServiceProcess service)
    {
        environment.Log.Write($"[test] killing the broker (pid {broker.Pid}) with SIGKILL");
        await broker.KillAsync();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        await Poll.UntilAsync(() => DateTime.UtcNow >= until, TimeSpan.FromSeconds(10), "the outage to last");
        await broker.StartAgainAsync();
        environment.Log.Write($"[test] broker back (pid {broker.Pid})");
        return service;
    }

    /// <summary>SIGKILLs the victim; the partner, already running, gets its partitions once the brokers' session timeout has
    /// declared it dead, takes its outbox lease and the client's requests.</summary>
    static async Task<ServiceProcess> KillAndFailOverAsync(ServiceEnvironment environment, ServiceProcess victim, ServiceProcess partner,
        OrderClient client)
    {
        environment.Log.Write($"[test] killing {victim.Name} (pid {victim.Pid}) with SIGKILL; {partner.Name} carries on");
        await victim.KillAsync();
        client.Target = partner.BaseAddress;
        await environment.WaitForOwnersAsync(Service, Topics.BalanceActivity, [partner]);
        return partner;
    }

    /// <summary>Starts an order-service instance and waits until it is healthy and the order group is it and
    /// <paramref name="others"/>, owning every balance-activity partition between them.</summary>
    static async Task<ServiceProcess> StartOrderServiceAsync(ServiceEnvironment environment, string name, params ServiceProcess[] others)
    {
        var instance = await environment.StartInstanceAsync(Service, name, new Dictionary<string, string>
        {
            ["Order__Timeout"] = "00:00:30",
            ["Order__SweepInterval"] = "00:00:00.500",
        });
        await instance.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await environment.WaitForOwnersAsync(Service, Topics.BalanceActivity, [.. others, instance]);
        return instance;
    }

    /// <summary>SIGKILL mid-run (orders in flight over HTTP, sagas half-way, outbox rows unpublished, offsets not yet committed),
    /// then a new instance on the same database and group: it gets the dead member's partitions once the session timeout has
    /// passed, from its last commit. The load keeps retrying against it.</summary>
    static async Task<ServiceProcess> KillAndRestartAsync(ServiceEnvironment environment, ServiceProcess victim, OrderClient client)
    {
        environment.Log.Write($"[test] killing {victim.Name} (pid {victim.Pid}) with SIGKILL");
        await victim.KillAsync();
        var restarted = await StartOrderServiceAsync(environment, "order-b");
        client.Target = restarted.BaseAddress;
        environment.Log.Write($"[test] {restarted.Name} is serving");
        return restarted;
    }
}
