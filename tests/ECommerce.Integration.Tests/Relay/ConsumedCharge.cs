using System.Diagnostics;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>One handled delivery: the charge's key and sequence, its message id, and the trace the consumer's activity was in.</summary>
public sealed record ConsumedCharge(long UserId, long Sequence, Guid? MessageId, ActivityTraceId? TraceId);
