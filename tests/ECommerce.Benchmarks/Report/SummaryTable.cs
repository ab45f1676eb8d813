using System.Globalization;

namespace ECommerce.Benchmarks.Report;

/// <summary>The one table every benchmark reports into, printed last, with the machine it ran on and the figures the design
/// started from, so that a reader compares like with like.</summary>
internal static class SummaryTable
{
    public static void Print(IReadOnlyList<ReportRow> rows, IReadOnlyList<string> machine)
    {
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("== summary ==");
        foreach (var line in machine)
            Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine($"{"benchmark",-18} {"database",-10} {"shape",-42} {"throughput",12} {"unit",-12} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"latency of",-22} {"peak RSS",9} {"of",-18}");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(invariant,
                $"{r.Benchmark,-18} {r.Database,-10} {r.Shape,-42} {r.Throughput,12:N0} {r.Unit,-12} {r.Latency?.Format(50) ?? "-",7} {r.Latency?.Format(95) ?? "-",7} {r.Latency?.Format(99) ?? "-",7} " +
                $"{(r.Latency is null ? "-" : r.LatencyOf),-22} {ProcessMemory.Format(r.PeakBytes),9} {r.Process,-18}"));
        }

        Console.WriteLine();
        Console.WriteLine("design baselines (DESIGN.md): Kafka version 100-200 TPS at ~50 ms average; polling version 20 TPS at 2.5 s.");
    }
}
