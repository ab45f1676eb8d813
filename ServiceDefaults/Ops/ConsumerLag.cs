namespace ECommerce.ServiceDefaults.Ops;

/// <summary>One queue of the service's consumer group and how far behind it is.</summary>
public sealed record ConsumerLag(string Group, string Topic, int? Partition, string Queue, long? Ready, long? Unacked, long? Consumers,
    long? DeadLettered);
