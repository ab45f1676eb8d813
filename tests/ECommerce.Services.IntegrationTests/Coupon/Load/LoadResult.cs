namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>The outcome of every planned request (same index) and the load's counters.</summary>
public sealed record LoadResult(IReadOnlyList<RequestOutcome> Outcomes, TimeSpan Elapsed, int TransportFailures, int UnexpectedAnswers)
{
    public int Accepted => Outcomes.Count(o => o.RequestId is not null);

    /// <summary>Logical requests that needed more than one attempt.</summary>
    public int Retried => Outcomes.Count(o => o.Attempts > 1);
}
