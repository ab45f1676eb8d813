using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Benchmarks.Report;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Services.IntegrationTests.Order;
using Xunit.Abstractions;

namespace ECommerce.Benchmarks.Order;

/// <summary>Orders end to end through one instance of the built order service (a child process) on the given database and a
/// topic prefix of its own: HTTP accept, the saga's stock reservation, the payment round trip to the balance service (played
/// by the order integration test's double, in this process, a consumer-group member on the same broker) and completion. Stock
/// and balances are ample, so every order completes; a fifth of the orders carry a coupon and take the extra coupon round
/// trip. Closed loop, after a warm-up of at least <see cref="BenchmarkOptions.WarmUpSeconds"/>.</summary>
internal static class OrdersBenchmark
{
    const string Service = "order";
    const int Users = 1_000;
    const int Products = 50;

    public static async Task<OrdersResult> RunAsync(string provider, BenchmarkOptions options, ITestOutputHelper output)
    {
        var environment = await ServiceEnvironment.CreateAsync($"bench-{Service}", BenchmarkOptions.DatabaseOf(provider), output).ConfigureAwait(false);
        await using (environment.ConfigureAwait(false))
        {
            var ledger = new DoubleLedger();
            var coupons = new Dictionary<long, Queue<Guid>>();
            for (long user = 1; user <= Users; user++)
            {
                ledger.Charge(user, 100_000_000m);
                coupons[user] = new Queue<Guid>(Enumerable.Range(0, 20).Select(_ => ledger.IssueCoupon(user, 1m)));
            }

            try
            {
                var commandDouble = await CommandDouble.StartAsync(environment, ledger).ConfigureAwait(false);
                await using (commandDouble.ConfigureAwait(false))
                {
                    var service = await environment.StartInstanceAsync(Service, $"{Service}-{provider}",
                        options.EnvironmentForService(new Dictionary<string, string>(StringComparer.Ordinal) { ["Order__Timeout"] = "00:02:00" }))
                        .ConfigureAwait(false);
                    await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                    // The group's assignment covers all its topics at once; the payment answers' topic stands for them, as in the
                    // order integration tests: nothing is placed before the instance owns its partitions.
                    await environment.WaitForOwnersAsync(Service, Topics.BalanceActivity, [service]).ConfigureAwait(false);
                    using var client = new OrderClient(service.BaseAddress);
                    var products = new List<Guid>();
                    for (var i = 0; i < Products; i++)
                        products.Add(await client.CreateProductAsync(5m + i, 10_000_000).ConfigureAwait(false));
                    var tables = new OrderDatabase(await environment.DatabaseAsync(Service).ConfigureAwait(false));
                    Console.WriteLine($"[{provider}] order service pid {service.Pid} on {service.BaseAddress}; warming up");

                    var random = new Random(20_261_122);
                    PlannedOrder Plan(string key)
                    {
                        var user = random.NextInt64(1, Users + 1);
                        Guid? coupon = random.Next(5) == 0 && coupons[user].TryDequeue(out var c) ? c : null;
                        var lines = products.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(p => (p, random.Next(1, 4))).ToList();
                        return new PlannedOrder(key, user, coupon, lines);
                    }

                    // Rounds of orders until the warm-up time is over: a service measured in its first half minute spends a
                    // quarter of its CPU in the JIT's background recompilation (perf, 2026-12-07), a cost a running service has paid.
                    var warming = Stopwatch.StartNew();
                    for (var round = 0; round == 0 || warming.Elapsed.TotalSeconds < options.WarmUpSeconds; round++)
                    {
                        var warmUp = Enumerable.Range(0, Math.Max(500, options.Orders / 5)).Select(i => Plan($"warm-{round}-{i}")).ToList();
                        await PlaceAsync(client, warmUp, options.Clients).ConfigureAwait(false);
                        await WaitEndedAsync(tables).ConfigureAwait(false);
                    }

                    var measured = Enumerable.Range(0, options.Orders).Select(i => Plan($"run-{i}")).ToList();
                    Console.WriteLine($"[{provider}] {measured.Count} orders, {options.Clients} clients");
                    var brokerPid = (await SharedInfrastructure.BrokerAsync().ConfigureAwait(false)).Pid;
                    var postgresPid = (await SharedInfrastructure.DatabaseAsync().ConfigureAwait(false)).Pid;
                    var clock = Stopwatch.StartNew();
                    var cpuStart = CpuSnapshot.Take(service.Pid, brokerPid, postgresPid);
                    var ids = (await PlaceAsync(client, measured, options.Clients).ConfigureAwait(false)).ToHashSet();
                    await WaitEndedAsync(tables).ConfigureAwait(false);
                    var cpu = CpuSnapshot.Take(service.Pid, brokerPid, postgresPid).SharesSince(cpuStart);
                    var elapsed = clock.Elapsed;
                    Console.WriteLine($"[{provider}] every order ended after {elapsed.TotalSeconds:0.0} s");

                    var rows = (await tables.TimingsAsync().ConfigureAwait(false)).Where(r => ids.Contains(r.Id)).ToList();
                    var completed = rows.Count(r => r.Status == "Completed");
                    var window = (rows.Max(r => r.FinishedAt!.Value) - rows.Min(r => r.CreatedAt)).TotalSeconds;
                    return new OrdersResult(provider, rows.Count, completed, rows.Count - completed, completed / window,
                        new Latency(rows.Select(r => (r.FinishedAt!.Value - r.CreatedAt).TotalMilliseconds)), elapsed, cpu)
                    {
                        PeakBytes = ProcessMemory.PeakResidentBytes(service.Pid),
                    };
                }
            }
            catch
            {
                Console.Error.WriteLine(environment.Log.Recent);
                throw;
            }
        }
    }

    static async Task<IReadOnlyList<Guid>> PlaceAsync(OrderClient client, IReadOnlyList<PlannedOrder> orders, int clients)
    {
        var ids = new Guid[orders.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, orders.Count), new ParallelOptions { MaxDegreeOfParallelism = clients },
            async (i, _) => ids[i] = await client.PlaceAsync(orders[i], DateTimeOffset.UtcNow.AddMinutes(1)).ConfigureAwait(false)).ConfigureAwait(false);
        return ids;
    }

    /// <summary>Polls every half second: counting the pending orders scans the whole table (tens of thousands of rows by the
    /// end), work the service's database would otherwise do ten times a second for as long as the backlog drains. The
    /// throughput is taken from the rows' own timestamps, so the interval does not change it.</summary>
    static Task WaitEndedAsync(OrderDatabase tables) =>
        Poll.UntilAsync(async _ => await tables.PendingAsync().ConfigureAwait(false) == 0,
            TimeSpan.FromMinutes(15), "every order to end", interval: TimeSpan.FromMilliseconds(500));
}
