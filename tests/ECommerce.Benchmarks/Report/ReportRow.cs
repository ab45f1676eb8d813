
namespace ECommerce.Benchmarks.Report;

/// <summary>One line of the summary table: a measured throughput, its latency percentiles when the benchmark measures latency,
/// and the peak resident memory of the process that did the work.</summary>
/// <param name="Latency">What the percentiles are of is named in <paramref name="LatencyOf"/>; null when not measured.</param>
/// <param name="Process">Whose memory <paramref name="PeakBytes"/> is: a service process, the broker, or this process.</param>
internal sealed record ReportRow(string Benchmark, string Database, string Shape, double Throughput, string Unit, Latency? Latency,
    string LatencyOf, string Process, long? PeakBytes);
