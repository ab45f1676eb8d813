namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>A queue's depth. A null figure is one the transport cannot tell.</summary>
public sealed record QueueStats(bool Exists, long? Ready, long? Unacked, long? Consumers);
