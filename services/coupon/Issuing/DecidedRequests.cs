using System.Collections.Concurrent;

namespace ECommerce.Coupon.Issuing;

/// <summary>The requests this instance decided most recently. A batch decides hundreds of requests whose own events are
/// still queued behind the one that triggered it; each of those events would otherwise cost a database read only to find
/// its request decided. Bounded: the oldest entries are forgotten first, and a forgotten request is simply looked up.</summary>
public sealed class DecidedRequests
{
    const int Capacity = 200_000;

    readonly ConcurrentDictionary<Guid, byte> _ids = new();
    readonly ConcurrentQueue<Guid> _order = new();

    public bool Contains(Guid requestId) => _ids.ContainsKey(requestId);

    /// <summary>Call only after the decisions committed.</summary>
    public void Add(IEnumerable<Guid> requestIds)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        foreach (var id in requestIds)
        {
            if (_ids.TryAdd(id, 0))
                _order.Enqueue(id);
        }

        while (_ids.Count > Capacity && _order.TryDequeue(out var oldest))
            _ids.TryRemove(oldest, out _);
    }
}
