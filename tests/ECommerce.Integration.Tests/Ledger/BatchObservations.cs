using System.Collections.Concurrent;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Every attempt <see cref="BatchedChargeConsumer"/> saw, and whether it ran inside a batch's shared transaction.</summary>
public sealed class BatchObservations
{
    readonly ConcurrentQueue<(Guid ChargeId, bool InBatch)> _attempts = new();

    public IReadOnlyList<(Guid ChargeId, bool InBatch)> Attempts => [.. _attempts];

    internal void Saw(Guid chargeId, bool inBatch) => _attempts.Enqueue((chargeId, inBatch));
}
