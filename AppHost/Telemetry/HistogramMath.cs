namespace ECommerce.AppHost.Telemetry;

/// <summary>Percentiles from explicit-bucket histogram counts (OTLP: n bounds, n + 1 buckets, the last one unbounded),
/// interpolated linearly inside the bucket the rank falls in, as Prometheus' histogram_quantile does.</summary>
internal static class HistogramMath
{
    public static double? Percentile(IReadOnlyList<double> bounds, IReadOnlyList<double> counts, double quantile)
    {
        var total = counts.Sum();
        if (total <= 0 || bounds.Count == 0)
        {
            return null;
        }

        var rank = quantile * total;
        double cumulative = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] > 0 && cumulative + counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : bounds[Math.Min(i, bounds.Count) - 1];
                // Nothing is known above the last bound: report the bound, not a guess.
                var upper = i < bounds.Count ? bounds[i] : bounds[^1];
                return lower + ((upper - lower) * ((rank - cumulative) / counts[i]));
            }

            cumulative += counts[i];
        }

        return bounds[^1];
    }
}
