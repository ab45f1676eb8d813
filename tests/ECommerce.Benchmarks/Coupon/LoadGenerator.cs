using System.Diagnostics;
using System.Globalization;
using System.Net;
using ECommerce.Benchmarks.Report;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Harness;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>Sends issue requests for one coupon, each from a user of its own (so every request is a first request and the
/// decision is a real stock decision) and with an Idempotency-Key, as a careful client does.</summary>
internal static class LoadGenerator
{
    /// <summary>Closed loop: <paramref name="clients"/> clients each send their next request as soon as the previous one is
    /// answered — the service's maximum accept rate at that concurrency.</summary>
    public static async Task<LoadRun> ClosedLoopAsync(CouponApi api, Guid coupon, long firstUser, int requests, int clients)
    {
        var latencies = new double[requests];
        var accepted = 0;
        var failed = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(async _ =>
        {
            await Task.Yield();
            while (Interlocked.Increment(ref next) is var i && i < requests)
            {
                var started = clock.Elapsed;
                if (await SendAsync(api, coupon, firstUser + i).ConfigureAwait(false))
                    Interlocked.Increment(ref accepted);
                else
                    Interlocked.Increment(ref failed);
                latencies[i] = (clock.Elapsed - started).TotalMilliseconds;
            }
        }).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        return new LoadRun(requests, accepted, failed, elapsed, elapsed, new Latency(latencies), clients);
    }

    /// <summary>Open loop: requests are sent on a fixed schedule, <paramref name="rate"/> per second, whether or not earlier
    /// ones have been answered, as independent users would. Each latency is measured from the request's scheduled time, so a
    /// stalled service shows as latency instead of silently lowering the rate (coordinated omission).</summary>
    public static async Task<LoadRun> OpenLoopAsync(CouponApi api, Guid coupon, long firstUser, double rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var tasks = new List<Task>(total);
        var accepted = 0;
        var failed = 0;
        var inFlight = 0;
        var maxInFlight = 0;
        var clock = Stopwatch.StartNew();
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        var sent = 0;
        var lastSend = TimeSpan.Zero;
        while (sent < total)
        {
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
            for (; sent < due; sent++)
                tasks.Add(SendScheduledAsync(sent, TimeSpan.FromSeconds(sent / rate)));
            lastSend = clock.Elapsed;
            if (sent < total)
                await ticks.WaitForNextTickAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new LoadRun(total, accepted, failed, lastSend, clock.Elapsed, new Latency(latencies), maxInFlight);

        async Task SendScheduledAsync(int i, TimeSpan scheduled)
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (await SendAsync(api, coupon, firstUser + i).ConfigureAwait(false))
                Interlocked.Increment(ref accepted);
            else
                Interlocked.Increment(ref failed);
            latencies[i] = (clock.Elapsed - scheduled).TotalMilliseconds;
            Interlocked.Decrement(ref inFlight);
        }
    }

    static async Task<bool> SendAsync(CouponApi api, Guid coupon, long user)
    {
        try
        {
            var answer = await api.RequestAsync(coupon, user, string.Create(CultureInfo.InvariantCulture, $"bench-{coupon:N}-{user}"))
                .ConfigureAwait(false);
            return answer.StatusCode == HttpStatusCode.Accepted;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
            current = seen;
    }
}
