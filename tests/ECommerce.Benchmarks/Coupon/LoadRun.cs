using ECommerce.Benchmarks.Report;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>What a load generator saw: how many requests it sent and got accepted (202), over which span of time, and each
/// accepted request's HTTP latency.</summary>
internal sealed record LoadRun(int Sent, int Accepted, int Failed, TimeSpan SendSpan, TimeSpan Elapsed, Latency Http, int MaxInFlight)
{
    /// <summary>Requests sent per second, from the first send to the last.</summary>
    public double OfferedPerSecond => Sent / Math.Max(SendSpan.TotalSeconds, 1e-9);

    /// <summary>Requests accepted per second, from the first send until the last answer.</summary>
    public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;
}
