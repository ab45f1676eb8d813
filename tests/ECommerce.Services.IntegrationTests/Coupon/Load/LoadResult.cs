namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>The outcome of every planned request (same index) and the load's counters.</summary>
public sealed record LoadResult(IReadOnlyList<RequestOutcome> Outcomes, TimeSpan Elapsed, int TransportFailures, int UnexpectedAnswers)
{
    public int Accepted => Outcomes.Count(o => o.RequestId is not null);

    /// <summary>Logical requests that needed more than one attempt.</summary>
    public int Retried => Outcomes.Count(o => o.Attempts > 1);

    /// <summary>Two loads that sent consecutive parts of one plan (<paramref name="first"/> the part before), as one.</summary>
    public static LoadResult Concat(LoadResult first, LoadResult second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return new LoadResult([.. first.Outcomes, .. second.Outcomes], first.Elapsed + second.Elapsed,
            first.TransportFailures + second.TransportFailures, first.UnexpectedAnswers + second.UnexpectedAnswers);
    }
}
