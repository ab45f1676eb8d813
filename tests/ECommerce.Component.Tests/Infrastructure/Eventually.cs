using System.Diagnostics;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>Waits for asynchronous outcomes by polling a condition until a deadline: never a fixed sleep.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds and returns that value; fails with
    /// <paramref name="what"/> and the last value seen when the deadline passes.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (deadline.Elapsed > limit)
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}. Last value: {Describe(value)}");
            await Task.Delay(PollInterval);
        }
    }

    public static Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return UntilAsync(() => Task.FromResult(probe()), done, what, timeout);
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, ok => ok, what, timeout);

    static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.ICollection c => $"{c.Count} item(s)",
        _ => value.ToString() ?? string.Empty,
    };
}
