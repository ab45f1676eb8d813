namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>One queue of a consumer group: a partition of a keyed topic, or the single queue of an unkeyed one.</summary>
public sealed record QueueBinding(string Group, string Topic, int? Partition, string Queue, bool Immediate);
