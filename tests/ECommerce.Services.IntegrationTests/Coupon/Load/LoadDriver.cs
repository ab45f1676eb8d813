using System.Net;

namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>Sends a plan's requests with bounded concurrency, spread round-robin over the instances that are alive. A request
/// whose instance fails at the transport level (it was killed, or did not answer in time) is sent again, with the same Idempotency-Key, to the next live
/// instance. A 503 (the service could not reach its database; nothing was changed) is retried after a growing pause, as a
/// well-behaved client honours Retry-After. Any other answer than 202 is recorded as unexpected and not retried.</summary>
public static class LoadDriver
{
    const int MaxAttempts = 12;

    /// <param name="onAccepted">Called with the running count of accepted requests, after each acceptance.</param>
    public static Task<LoadResult> RunAsync(IReadOnlyList<PlannedRequest> plan, IReadOnlyList<Guid> coupons,
        IReadOnlyList<ServiceEndpoint> endpoints, int concurrency, Action<int>? onAccepted = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return RunAsync(plan, coupons, () => endpoints, concurrency, onAccepted);
    }

    /// <param name="endpoints">The instances as they are now, asked before every attempt: an instance started while the load
    /// runs is added to it.</param>
    /// <param name="onAccepted">Called with the running count of accepted requests, after each acceptance.</param>
    /// <param name="beforeSend">Awaited with a request's index in <paramref name="plan"/> before it is first sent: a test paces
    /// the sale, or holds part of it back until what it does meanwhile is done.</param>
    public static async Task<LoadResult> RunAsync(IReadOnlyList<PlannedRequest> plan, IReadOnlyList<Guid> coupons,
        Func<IReadOnlyList<ServiceEndpoint>> endpoints, int concurrency, Action<int>? onAccepted = null, Func<int, Task>? beforeSend = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(coupons);
        ArgumentNullException.ThrowIfNull(endpoints);
        var outcomes = new RequestOutcome[plan.Count];
        var next = -1;
        var accepted = 0;
        var transportFailures = 0;
        var unexpected = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            // Off the caller's context at once, so the workers really run side by side.
            await Task.Yield();
            while (Interlocked.Increment(ref next) is var i && i < plan.Count)
            {
                if (beforeSend is not null)
                    await beforeSend(i).ConfigureAwait(false);
                var outcome = await SendAsync(plan[i], coupons, endpoints).ConfigureAwait(false);
                outcomes[i] = outcome;
                Interlocked.Add(ref transportFailures, outcome.Failures.Count(f => f.Contains("transport", StringComparison.Ordinal)));
                if (outcome.RequestId is null)
                    Interlocked.Increment(ref unexpected);
                else
                    onAccepted?.Invoke(Interlocked.Increment(ref accepted));
            }
        }).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return new LoadResult(outcomes, clock.Elapsed, transportFailures, unexpected);
    }

    static async Task<RequestOutcome> SendAsync(PlannedRequest request, IReadOnlyList<Guid> coupons, Func<IReadOnlyList<ServiceEndpoint>> endpoints)
    {
        var failures = new List<string>();
        var sentAt = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var alive = endpoints().Where(e => e.IsAlive()).ToList();
            if (alive.Count == 0)
            {
                failures.Add("no instance alive");
                break;
            }

            var endpoint = alive[(request.Index + attempt) % alive.Count];
            try
            {
                var answer = await endpoint.Api.RequestAsync(coupons[request.Coupon], request.UserId, request.Key).ConfigureAwait(false);
                if (answer.StatusCode == HttpStatusCode.Accepted)
                    return new RequestOutcome(answer.RequestId, endpoint.Name, attempt + 1, failures, sentAt, System.Diagnostics.Stopwatch.GetTimestamp());
                failures.Add($"{endpoint.Name}: HTTP {(int)answer.StatusCode}");
                if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * (attempt + 1))).ConfigureAwait(false);
                    continue;
                }

                return new RequestOutcome(null, null, attempt + 1, failures, sentAt, long.MaxValue);
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{endpoint.Name}: transport failure ({e.HttpRequestError})");
            }
            catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
            {
                // No answer within the client's timeout: as unknown an outcome as a dropped connection, so retried the same way.
                failures.Add($"{endpoint.Name}: transport failure (timeout)");
            }
        }

        return new RequestOutcome(null, null, MaxAttempts, failures, sentAt, long.MaxValue);
    }
}
