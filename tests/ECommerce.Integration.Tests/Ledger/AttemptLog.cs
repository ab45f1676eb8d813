using System.Collections.Concurrent;
using System.Diagnostics;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Each attempt of the flaky consumer: when (monotonic clock), which message id it carried, and its redelivery
/// count.</summary>
public sealed class AttemptLog(int failedDeliveries)
{
    readonly ConcurrentQueue<Attempt> _attempts = new();

    /// <summary>Deliveries (the first and redeliveries) whose every attempt fails; the next delivery succeeds.</summary>
    public int FailedDeliveries { get; } = failedDeliveries;

    public IReadOnlyList<Attempt> Attempts => [.. _attempts];

    internal void Add(Attempt attempt) => _attempts.Enqueue(attempt);

    /// <summary>One call of the consumer.</summary>
    public sealed record Attempt(long Timestamp, Guid? MessageId, string? OriginalMessageId, int RedeliveryCount, bool Succeeded)
    {
        public TimeSpan Since(Attempt earlier)
        {
            ArgumentNullException.ThrowIfNull(earlier);
            return Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp);
        }
    }
}
