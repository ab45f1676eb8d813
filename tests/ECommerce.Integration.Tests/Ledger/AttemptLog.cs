using System.Collections.Concurrent;
using System.Diagnostics;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Each attempt of the flaky consumer: when (monotonic clock and wall clock), which message id it carried, the
/// redelivery tier it came from and the due time that tier's record carried.</summary>
public sealed class AttemptLog(int failedTiers)
{
    readonly ConcurrentQueue<Attempt> _attempts = new();

    /// <summary>Tiers (the original topic is tier 0, then the retry topics) whose every attempt fails; the next tier's first
    /// attempt succeeds.</summary>
    public int FailedTiers { get; } = failedTiers;

    public IReadOnlyList<Attempt> Attempts => [.. _attempts];

    internal void Add(Attempt attempt) => _attempts.Enqueue(attempt);

    /// <summary>One call of the consumer.</summary>
    /// <param name="DueAt">The due time of the retry-topic record (none for tier 0).</param>
    public sealed record Attempt(long Timestamp, DateTimeOffset At, Guid? MessageId, int Tier, DateTimeOffset? DueAt, bool Succeeded)
    {
        public TimeSpan Since(Attempt earlier)
        {
            ArgumentNullException.ThrowIfNull(earlier);
            return Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp);
        }
    }
}
