namespace ECommerce.Benchmarks.DataPlatform;

internal sealed record IngestResult(string Provider, string Shape, int Events, TimeSpan Elapsed, long Ingested)
{
    public double PerSecond => Events / Elapsed.TotalSeconds;
}
