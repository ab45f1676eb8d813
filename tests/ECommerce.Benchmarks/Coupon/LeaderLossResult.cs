using ECommerce.Benchmarks.Report;

namespace ECommerce.Benchmarks.Coupon;

/// <summary>A sale that lost the broker leading its partition: the longest stretch after the kill without a decision, where
/// it fell (seconds after the kill), and the sale's figures around it.</summary>
internal sealed record LeaderLossResult(LoadRun Load, int Decided, TimeSpan Pause, TimeSpan PauseFrom, TimeSpan PauseTo,
    bool ControllerKilled, Latency AcceptedToDecided, long? PeakBytes);
