namespace ECommerce.Benchmarks.Coupon;

/// <summary>Raw broker throughput for one way of using it: acknowledged produces per second, and records through (produced,
/// consumed, offset committed) per second.</summary>
internal sealed record BrokerCeilingResult(string Name, int Messages, TimeSpan Published, TimeSpan Consumed)
{
    public double PublishedPerSecond => Messages / Published.TotalSeconds;

    public double ThroughPerSecond => Messages / Consumed.TotalSeconds;
}
