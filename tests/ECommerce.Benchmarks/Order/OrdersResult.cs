using ECommerce.Benchmarks.Report;

namespace ECommerce.Benchmarks.Order;

/// <summary>One measured order run: how many orders ended which way, the completion rate and submit→terminal latency.</summary>
/// <param name="Cpu">Share of the machine's CPU each part used from the first order placed until the last one ended (the
/// "load generator" is this process: the HTTP clients and the balance and coupon double).</param>
internal sealed record OrdersResult(string Provider, int Orders, int Completed, int Failed, double CompletedPerSecond, Latency Terminal,
    TimeSpan Elapsed, IReadOnlyDictionary<string, double> Cpu)
{
    /// <summary>Milliseconds of CPU <paramref name="part"/> (a <see cref="CpuSnapshot.Parts"/> name; all its processes and
    /// threads) spent per order that ended.</summary>
    public double CpuMsPerOrder(string part) => Orders == 0 ? double.NaN : Cpu[part] * Environment.ProcessorCount * Elapsed.TotalMilliseconds / Orders;

    /// <summary>Milliseconds of CPU the system under test spent per order: every part but "other" (whatever else ran on the
    /// machine meanwhile, which a quiet machine does not have).</summary>
    public double TotalCpuMsPerOrder => CpuSnapshot.Parts.Where(p => p != "other").Sum(CpuMsPerOrder);

    /// <summary>Orders a second this machine's cores could complete if every part kept its CPU cost per order and nothing sat
    /// idle: the CPU-bound ceiling of this build on this machine.</summary>
    public double CpuBoundCeiling => Environment.ProcessorCount * 1000 / TotalCpuMsPerOrder;

    /// <summary>Peak resident memory of the service process over its run (VmHWM), read just before it stopped.</summary>
    public long? PeakBytes { get; init; }
}
