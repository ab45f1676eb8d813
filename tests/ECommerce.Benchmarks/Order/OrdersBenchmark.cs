using System.Diagnostics;
using ECommerce.Testing.Infrastructure;
using ECommerce.Benchmarks.Report;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Order;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;

namespace ECommerce.Benchmarks.Order;

/// <summary>Orders end to end through one instance of the built order service (a child process) on the given database: HTTP
/// accept, the saga's stock reservation, the payment round trip to the balance service (played by the order integration test's
/// double, in this process, over the real broker) and completion. Stock and balances are ample, so every order completes; a
/// fifth of the orders carry a coupon and take the extra coupon round trip. Closed loop, after a warm-up.</summary>
internal static class OrdersBenchmark
{
    const int Users = 1_000;
    const int Products = 50;

    public static async Task<OrdersResult> RunAsync(string provider, string database, RabbitMqNode broker, BenchmarkOptions options)
    {
        var virtualHost = $"bench-orders-{provider}-{Guid.NewGuid().ToString("N")[..6]}";
        var brokerUri = await broker.CreateVirtualHostAsync(virtualHost).ConfigureAwait(false);
        await TopologyProvisioner.ProvisionAsync(brokerUri, new MessagingOptions()).ConfigureAwait(false);
        var output = new List<string>();
        var service = ServiceProcess.Start("order", $"order-{provider}", new ServiceSettings(brokerUri.ToString(), database)
        {
            Environment = new Dictionary<string, string>(options.ServiceEnvironment, StringComparer.Ordinal) { ["Order__Timeout"] = "00:02:00" },
        }, line =>
        {
            lock (output)
                output.Add(line);
        });
        var ledger = new DoubleLedger();
        var coupons = new Dictionary<long, Queue<Guid>>();
        for (long user = 1; user <= Users; user++)
        {
            ledger.Charge(user, 100_000_000m);
            coupons[user] = new Queue<Guid>(Enumerable.Range(0, 20).Select(_ => ledger.IssueCoupon(user, 1m)));
        }

        await using (service.ConfigureAwait(false))
        {
            var commandDouble = await CommandDouble.StartAsync(brokerUri, ledger).ConfigureAwait(false);
            await using (commandDouble.ConfigureAwait(false))
            {
                try
                {
                    await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                    using var client = new OrderClient(service.BaseAddress);
                    var products = new List<Guid>();
                    for (var i = 0; i < Products; i++)
                        products.Add(await client.CreateProductAsync(5m + i, 10_000_000).ConfigureAwait(false));
                    var tables = new OrderDatabase(database);
                    Console.WriteLine($"[{provider}] order service pid {service.Pid} on {service.BaseAddress}; warming up");

                    var random = new Random(20_261_122);
                    PlannedOrder Plan(string key)
                    {
                        var user = random.NextInt64(1, Users + 1);
                        Guid? coupon = random.Next(5) == 0 && coupons[user].TryDequeue(out var c) ? c : null;
                        var lines = products.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(p => (p, random.Next(1, 4))).ToList();
                        return new PlannedOrder(key, user, coupon, lines);
                    }

                    var warmUp = Enumerable.Range(0, Math.Max(500, options.Orders / 5)).Select(i => Plan($"warm-{i}")).ToList();
                    await PlaceAsync(client, warmUp, options.Clients).ConfigureAwait(false);
                    await WaitEndedAsync(tables).ConfigureAwait(false);

                    var measured = Enumerable.Range(0, options.Orders).Select(i => Plan($"run-{i}")).ToList();
                    Console.WriteLine($"[{provider}] {measured.Count} orders, {options.Clients} clients");
                    var clock = Stopwatch.StartNew();
                    var cpuStart = CpuSnapshot.Take(service.Pid);
                    var ids = (await PlaceAsync(client, measured, options.Clients).ConfigureAwait(false)).ToHashSet();
                    await WaitEndedAsync(tables).ConfigureAwait(false);
                    var cpu = CpuSnapshot.Take(service.Pid).SharesSince(cpuStart);
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
                catch
                {
                    lock (output)
                        Console.Error.WriteLine(string.Join(Environment.NewLine, output.TakeLast(50)));
                    throw;
                }
                finally
                {
                    await broker.DeleteVirtualHostAsync(virtualHost).ConfigureAwait(false);
                }
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

    static Task WaitEndedAsync(OrderDatabase tables) =>
        Poll.UntilAsync(async _ => await tables.PendingAsync().ConfigureAwait(false) == 0,
            TimeSpan.FromMinutes(15), "every order to end", interval: TimeSpan.FromMilliseconds(100));
}
