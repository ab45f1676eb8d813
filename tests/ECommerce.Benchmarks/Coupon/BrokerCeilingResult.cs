namespace ECommerce.Benchmarks.Coupon;

/// <summary>Raw broker throughput for one way of using it: confirmed publishes per second, and messages through (published,
/// delivered, acknowledged) per second.</summary>
internal sealed record BrokerCeilingResult(string Name, int Messages, TimeSpan Published, TimeSpan Consumed)
{
    public double PublishedPerSecond => Messages / Published.TotalSeconds;

    public double ThroughPerSecond => Messages / Consumed.TotalSeconds;
}
