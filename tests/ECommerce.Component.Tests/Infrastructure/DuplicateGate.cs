namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>Holds concurrent deliveries of one message until all expected copies are inside the consumer, so they all pass the
/// inbox check before any of them commits: the race the inbox's unique key must settle. Waits on a condition with a deadline,
/// never on a fixed delay.</summary>
public sealed class DuplicateGate
{
    readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _expected = int.MaxValue;
    int _arrived;

    public int Arrived => Volatile.Read(ref _arrived);

    public void Expect(int copies) => Volatile.Write(ref _expected, copies);

    public async Task ArriveAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _arrived) >= Volatile.Read(ref _expected))
            _allArrived.TrySetResult();
        // Bounded: if fewer copies arrive concurrently than expected, the test still ends (and its assertions say why).
        await _allArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }
}
