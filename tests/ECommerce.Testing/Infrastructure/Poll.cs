namespace ECommerce.Testing.Infrastructure;

/// <summary>Waits for a condition by asking it again and again until a deadline: the way to wait for another process
/// without sleeping for a guessed time.</summary>
public static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Completes as soon as <paramref name="condition"/> returns true; throws <see cref="TimeoutException"/> naming
    /// <paramref name="description"/> when it has not by <paramref name="timeout"/>. An exception thrown by the condition
    /// ends the wait at once (a condition that can never come true any more should say so); a condition that is merely
    /// not true yet returns false.</summary>
    public static async Task UntilAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, string description,
        CancellationToken cancellationToken = default, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await condition(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {description}.");
            }

            await Task.Delay(interval ?? DefaultInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The synchronous-condition form of <see cref="UntilAsync(Func{CancellationToken, Task{bool}}, TimeSpan, string, CancellationToken, TimeSpan?)"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string description,
        CancellationToken cancellationToken = default, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(_ => Task.FromResult(condition()), timeout, description, cancellationToken, interval);
    }
}
