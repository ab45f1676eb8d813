using System.Collections.Concurrent;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Every delivery a host's consumer pipeline saw, per message id, whether or not the inbox then let it through:
/// the difference between "delivered twice" and "applied twice".</summary>
public sealed class DeliveryLog
{
    readonly ConcurrentDictionary<Guid, int> _deliveries = new();
    int _inFlight;

    public int Total => _deliveries.Values.Sum();

    public int InFlight => Volatile.Read(ref _inFlight);

    public IReadOnlyDictionary<Guid, int> ByMessage => new Dictionary<Guid, int>(_deliveries);

    public int Of(Guid messageId) => _deliveries.GetValueOrDefault(messageId);

    internal void Started(Guid? messageId)
    {
        Interlocked.Increment(ref _inFlight);
        _deliveries.AddOrUpdate(messageId ?? Guid.Empty, 1, (_, n) => n + 1);
    }

    internal void Finished() => Interlocked.Decrement(ref _inFlight);
}
