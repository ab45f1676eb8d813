using ECommerce.Benchmarks.Report;

namespace ECommerce.Benchmarks.Balance;

/// <summary>One measured phase of the balance benchmark. <see cref="Accepted"/> is the client's view (HTTP 200, or the broker's
/// acknowledgement for a command, acks=all); <see cref="EndToEnd"/> runs from sending until the change's event arrived on balance-activity.</summary>
internal sealed record BalanceRunResult(string Provider, string Phase, int Operations, int Failed, TimeSpan AcceptedElapsed, TimeSpan Elapsed,
    Latency Accepted, Latency EndToEnd)
{
    /// <summary>Peak resident memory of the service process over its run (VmHWM), read just before it stopped.</summary>
    public long? PeakBytes { get; init; }

    /// <summary>Operations accepted per second, from the first send to the last acceptance.</summary>
    public double AcceptedPerSecond => (Operations - Failed) / AcceptedElapsed.TotalSeconds;

    /// <summary>Operations whose event arrived, per second, from the first send to the last event.</summary>
    public double PerSecond => (Operations - Failed) / Elapsed.TotalSeconds;
}
