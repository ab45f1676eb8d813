using ECommerce.Benchmarks.Report;

namespace ECommerce.Benchmarks.Order;

/// <summary>One measured order run: how many orders ended which way, the completion rate and submit→terminal latency.</summary>
/// <param name="Cpu">Share of the machine's CPU each part used from the first order placed until the last one ended (the
/// "load generator" is this process: the HTTP clients and the balance and coupon double).</param>
internal sealed record OrdersResult(string Provider, int Orders, int Completed, int Failed, double CompletedPerSecond, Latency Terminal,
    TimeSpan Elapsed, IReadOnlyDictionary<string, double> Cpu)
{
    /// <summary>Milliseconds of the order service's CPU (all its threads) per order that ended.</summary>
    public double ServiceCpuMsPerOrder => Orders == 0 ? double.NaN : Cpu["service"] * Environment.ProcessorCount * Elapsed.TotalMilliseconds / Orders;

    /// <summary>Peak resident memory of the service process over its run (VmHWM), read just before it stopped.</summary>
    public long? PeakBytes { get; init; }
}
