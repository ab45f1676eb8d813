using System.Collections.Concurrent;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Holds the first copy of a message until its duplicate has also passed the inbox check, so both copies race to
/// commit: the case a "check, then insert" inbox must survive. Waiting is bounded, so a copy that never comes (it found the
/// message already processed) cannot stall the consumer for good.</summary>
public sealed class PairBarrier
{
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _first = new();
    int _met;

    /// <summary>How many pairs were both inside the handler at once.</summary>
    public int Met => Volatile.Read(ref _met);

    public async Task ArriveAsync(Guid messageId, TimeSpan patience, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _first.GetOrAdd(messageId, mine);
        if (!ReferenceEquals(first, mine))
        {
            Interlocked.Increment(ref _met);
            first.TrySetResult();
            return;
        }

        try
        {
            await mine.Task.WaitAsync(patience, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The duplicate was not in flight at the same time; the race simply did not happen for this message.
        }
    }
}
