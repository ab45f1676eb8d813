using System.Globalization;

namespace ECommerce.Benchmarks.Report;

/// <summary>Percentiles of a set of latencies in milliseconds (nearest rank).</summary>
internal sealed class Latency
{
    readonly double[] _sorted;

    public Latency(IEnumerable<double> milliseconds) => _sorted = milliseconds.Order().ToArray();

    public int Count => _sorted.Length;

    public double P(double percentile) =>
        _sorted.Length == 0 ? double.NaN : _sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];

    public string Format(double percentile) => Count == 0 ? "-" : P(percentile).ToString(P(percentile) < 10 ? "F1" : "F0", CultureInfo.InvariantCulture);
}
