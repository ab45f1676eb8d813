namespace ECommerce.Benchmarks;

internal sealed record BenchmarkResult(string Provider, int Messages, TimeSpan Elapsed, long Delivered)
{
    public double PerSecond => Messages / Elapsed.TotalSeconds;
}
