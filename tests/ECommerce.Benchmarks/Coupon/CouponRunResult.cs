using ECommerce.Benchmarks.Report;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>One measured flash sale against one service instance.</summary>
/// <param name="DecidedPerSecond">Requests decided per second end to end: all of them over the span from the first acceptance
/// to the last decision (database timestamps).</param>
/// <param name="DrainPerSecond">Decisions per second after the last request was accepted, while a backlog remained: the
/// issuing consumer's rate with the HTTP side idle. NaN when less than 5 % of the requests were left to decide.</param>
/// <param name="Decided">Per request, DecidedAt − AcceptedAt from the database: the service's clock at acceptance (inside the
/// accepting transaction, just before its commit) and at the decision (inside the deciding transaction, just before its
/// commit). It covers the commit, the relay, the broker, the wait in the partition (records ahead of it) and the consumer.</param>
/// <param name="OutboxMedian">Median of the outbox's row count, sampled once a second over the run: rows committed and not yet
/// produced and acknowledged (the relay deletes them then).</param>
/// <param name="OutboxMax">The largest sample.</param>
/// <param name="Cpu">Share of the machine's CPU each part used from the start of the load until the last decision.</param>
internal sealed record CouponRunResult(string Provider, string Mode, LoadRun Load, double DecidedPerSecond, double DrainPerSecond,
    Latency Decided, long OutboxMedian, long OutboxMax, IReadOnlyDictionary<string, double> Cpu, TimeSpan Total)
{
    /// <summary>Peak resident memory of the service process over its run (VmHWM), read just before it stopped.</summary>
    public long? PeakBytes { get; init; }
}
