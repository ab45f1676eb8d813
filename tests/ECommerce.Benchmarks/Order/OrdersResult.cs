using ECommerce.Benchmarks.Coupon;

namespace ECommerce.Benchmarks.Order;

/// <summary>One measured order run: how many orders ended which way, the completion rate and submit→terminal latency.</summary>
internal sealed record OrdersResult(string Provider, int Orders, int Completed, int Failed, double CompletedPerSecond, Latency Terminal,
    TimeSpan Elapsed)
{
    /// <summary>Peak resident memory of the service process over its run (VmHWM), read just before it stopped.</summary>
    public long? PeakBytes { get; init; }
}
