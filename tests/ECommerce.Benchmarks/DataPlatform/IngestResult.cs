namespace ECommerce.Benchmarks.DataPlatform;

internal sealed record IngestResult(string Provider, string Shape, int Events, TimeSpan Elapsed, long Ingested)
{
    /// <summary>Peak resident memory of the service process over its run (VmHWM), read just before it stopped.</summary>
    public long? PeakBytes { get; init; }

    public double PerSecond => Events / Elapsed.TotalSeconds;
}
