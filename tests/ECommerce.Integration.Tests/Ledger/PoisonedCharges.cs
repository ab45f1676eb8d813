using System.Collections.Concurrent;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>The charges <see cref="SelectivePoisonConsumer"/> cannot apply, how often each was tried, and a gate at which every
/// attempt of a poisoned charge after its first waits until the test releases it. A platform that retried the poison where
/// it stands (holding its partition) would keep the records behind it from being applied while the gate waits for exactly
/// them: the test would time out instead of passing by luck.</summary>
public sealed class PoisonedCharges(IEnumerable<Guid> chargeIds)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    readonly HashSet<Guid> _poisoned = [.. chargeIds];
    readonly ConcurrentDictionary<Guid, int> _attempts = new();
    readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsPoisoned(Guid chargeId) => _poisoned.Contains(chargeId);

    public int AttemptsOf(Guid chargeId) => _attempts.GetValueOrDefault(chargeId);

    /// <summary>Lets the poisoned charges' later attempts proceed (to fail, and on to the dead letters).</summary>
    public void Release() => _released.TrySetResult();

    internal async Task AttemptAsync(Guid chargeId, CancellationToken cancellationToken)
    {
        if (_attempts.AddOrUpdate(chargeId, 1, (_, n) => n + 1) > 1)
            await _released.Task.WaitAsync(Patience, cancellationToken).ConfigureAwait(false);
    }
}
