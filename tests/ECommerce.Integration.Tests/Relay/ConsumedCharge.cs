using System.Diagnostics;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>One handled delivery: the charge's key and sequence, its message id, the trace the consumer's activity was in and
/// the span its receive continued (the remote parent of the consumer's outermost in-process activity: the producer's span).</summary>
public sealed record ConsumedCharge(long UserId, long Sequence, Guid? MessageId, ActivityTraceId? TraceId, ActivitySpanId? RemoteParent);
