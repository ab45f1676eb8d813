using System.Collections.Concurrent;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>Every delivery a <see cref="RecordingChargeConsumer"/> handled, in the order it handled them.</summary>
public sealed class ConsumedLog
{
    readonly ConcurrentQueue<ConsumedCharge> _deliveries = new();

    public int Count => _deliveries.Count;

    public void Add(ConsumedCharge delivery) => _deliveries.Enqueue(delivery);

    public IReadOnlyList<ConsumedCharge> Snapshot() => [.. _deliveries];
}
