namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>What happened to one logical request: the request id the service answered with (null if it never accepted it),
/// which instance accepted it, how many attempts it took, why earlier attempts failed, and when (Stopwatch timestamps) its
/// first attempt was sent and its acceptance was received.</summary>
public sealed record RequestOutcome(Guid? RequestId, string? AcceptedBy, int Attempts, IReadOnlyList<string> Failures, long SentAt, long AnsweredAt);
