using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using ECommerce.Testing.Infrastructure;
using ECommerce.Benchmarks.Report;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Balance;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ECommerce.Benchmarks.Balance;

/// <summary>Charges and deducts end to end against one instance of the built balance service (a child process, as the AppHost
/// runs it) on a database of the given provider and a topic prefix of its own. Each of <see cref="BenchmarkOptions.Clients"/>
/// clients owns a user and sends that user's operations back to back, so the n-th change of a user is its sequence n and its
/// event on balance-activity (watched live, every partition, by <see cref="ActivityListener"/>) can be matched to the request
/// that caused it: charges over HTTP (latency to the 200, and to the event), then deduct commands produced to
/// balance-commands as the order service's relay produces them (<c>BalanceBus</c>; latency to the broker's ack, and to the
/// event, the saga's view of a deduction).</summary>
internal static class BalanceBenchmark
{
    const string Service = "balance";

    public static async Task<IReadOnlyList<BalanceRunResult>> RunAsync(string provider, BenchmarkOptions options, ITestOutputHelper output)
    {
        var environment = await ServiceEnvironment.CreateAsync($"bench-{Service}", BenchmarkOptions.DatabaseOf(provider), output).ConfigureAwait(false);
        await using (environment.ConfigureAwait(false))
        {
            var arrivals = new ConcurrentDictionary<(long User, long Sequence), long>();
            var waiters = new ConcurrentDictionary<(long User, long Sequence), TaskCompletionSource>();
            try
            {
                var service = await environment.StartInstanceAsync(Service, $"{Service}-{provider}", options.EnvironmentForService()).ConfigureAwait(false);
                await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                await environment.WaitForOwnersAsync(Service, Topics.BalanceCommands, [service]).ConfigureAwait(false);
                using var listener = ActivityListener.Start(environment.BootstrapServers, environment.Messaging, (user, sequence, arrived) =>
                {
                    if (sequence is not { } s)
                        return;
                    arrivals[(user, s)] = arrived;
                    if (waiters.TryRemove((user, s), out var waiter))
                        waiter.TrySetResult();
                });
                using var bus = new BalanceBus(environment);
                using var api = new BalanceApi(service.BaseAddress, Math.Max(64, options.Clients));
                Console.WriteLine($"[{provider}] balance service pid {service.Pid} on {service.BaseAddress}; warming up");
                var warming = Stopwatch.StartNew();
                var warmUpUser = 900_000_000L;
                while (warming.Elapsed.TotalSeconds < options.WarmUpSeconds)
                {
                    await ChargesAsync(api, warmUpUser, Math.Min(16, options.Clients), 50, arrivals, provider, "warm-up").ConfigureAwait(false);
                    warmUpUser += options.Clients;
                }

                Console.WriteLine($"[{provider}] warmed up for {warming.Elapsed.TotalSeconds:0} s");
                var perClient = Math.Max(1, options.Requests / options.Clients);
                var charges = await ChargesAsync(api, 1, options.Clients, perClient, arrivals, provider,
                    $"charges, {options.Clients} clients").ConfigureAwait(false);
                var deducts = await DeductsAsync(bus, options.Clients, Math.Max(1, options.Deducts / options.Clients), perClient, waiters, arrivals,
                    provider, $"deducts, {options.Clients} clients").ConfigureAwait(false);
                var peak = ProcessMemory.PeakResidentBytes(service.Pid);
                return [charges with { PeakBytes = peak }, deducts with { PeakBytes = peak }];
            }
            catch
            {
                Console.Error.WriteLine(environment.Log.Recent);
                throw;
            }
        }
    }

    /// <summary>Each client charges its own user <paramref name="perClient"/> times, one after another; latencies to the 200 and
    /// to the charge's event.</summary>
    static async Task<BalanceRunResult> ChargesAsync(BalanceApi api, long firstUser, int clients, int perClient,
        ConcurrentDictionary<(long User, long Sequence), long> arrivals, string provider, string phase)
    {
        var sent = new long[clients, perClient];
        var http = new ConcurrentBag<double>();
        var failed = 0;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            await Task.Yield();
            for (var i = 0; i < perClient; i++)
            {
                sent[c, i] = Stopwatch.GetTimestamp();
                try
                {
                    var (status, _) = await api.ChargeAsync(firstUser + c, 1.25m, idempotencyKey: null).ConfigureAwait(false);
                    if (status != HttpStatusCode.OK)
                        Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }

                http.Add(Stopwatch.GetElapsedTime(sent[c, i]).TotalMilliseconds);
            }
        })).ConfigureAwait(false);
        var accepted = Stopwatch.GetElapsedTime(start);

        var expected = clients * perClient - failed;
        await Poll.UntilAsync(() => Arrived(arrivals, firstUser, clients, 1, perClient) >= expected, TimeSpan.FromMinutes(5),
            $"{expected} charge events", interval: TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        return Result(provider, phase, clients, perClient, failed, start, accepted, sent, 1, firstUser, arrivals, new Latency(http));
    }

    /// <summary>Each client deducts from its own user <paramref name="perClient"/> times, sending the next command when the
    /// previous one's event has arrived — the order saga's rhythm.</summary>
    static async Task<BalanceRunResult> DeductsAsync(BalanceBus bus, int clients, int perClient, int sequenceBefore,
        ConcurrentDictionary<(long User, long Sequence), TaskCompletionSource> waiters, ConcurrentDictionary<(long User, long Sequence), long> arrivals,
        string provider, string phase)
    {
        var sent = new long[clients, perClient];
        var acknowledged = new ConcurrentBag<double>();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            await Task.Yield();
            var user = 1L + c;
            for (var i = 0; i < perClient; i++)
            {
                var key = (user, sequenceBefore + 1L + i);
                var waiter = waiters.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                sent[c, i] = Stopwatch.GetTimestamp();
                await bus.SendAsync(new DeductBalance(Guid.NewGuid(), user, 0.01m)).ConfigureAwait(false);
                acknowledged.Add(Stopwatch.GetElapsedTime(sent[c, i]).TotalMilliseconds);
                if (!arrivals.ContainsKey(key))
                    await waiter.Task.WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        return Result(provider, phase, clients, perClient, 0, start, Stopwatch.GetElapsedTime(start), sent, sequenceBefore + 1, 1, arrivals,
            new Latency(acknowledged));
    }

    static int Arrived(ConcurrentDictionary<(long User, long Sequence), long> arrivals, long firstUser, int clients, long firstSequence, int perClient) =>
        Enumerable.Range(0, clients).Sum(c => Enumerable.Range(0, perClient).Count(i => arrivals.ContainsKey((firstUser + c, firstSequence + i))));

    static BalanceRunResult Result(string provider, string phase, int clients, int perClient, int failed, long start, TimeSpan accepted, long[,] sent,
        long firstSequence, long firstUser, ConcurrentDictionary<(long User, long Sequence), long> arrivals, Latency acceptedLatency)
    {
        var endToEnd = new List<double>();
        var last = start;
        for (var c = 0; c < clients; c++)
        {
            for (var i = 0; i < perClient; i++)
            {
                if (!arrivals.TryGetValue((firstUser + c, firstSequence + i), out var arrived))
                    continue;
                endToEnd.Add(Stopwatch.GetElapsedTime(sent[c, i], arrived).TotalMilliseconds);
                last = Math.Max(last, arrived);
            }
        }

        var result = new BalanceRunResult(provider, phase, clients * perClient, failed, accepted, Stopwatch.GetElapsedTime(start, last),
            acceptedLatency, new Latency(endToEnd));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{provider}] {phase}: {result.Operations} in {result.Elapsed.TotalSeconds:0.0} s, {result.AcceptedPerSecond:0}/s accepted, {result.PerSecond:0}/s end to end"));
        return result;
    }
}
