namespace ECommerce.ServiceDefaults.Ops;

/// <summary>What <c>POST /ops/dead-letters/redrive</c> did: how many went back, and the ids it could not read (discard those).</summary>
public sealed record RedriveAllResult(int Redriven, IReadOnlyList<Guid> Unreadable);
