namespace ECommerce.Contracts.Topology;

/// <summary>A topic of the suite: its name, the name of its partition key (null for an unkeyed topic) and whether it
/// carries domain events (retained and replayable) or commands for one owning service.</summary>
public sealed record TopicDefinition(string Name, string? KeyName, bool IsCommandChannel)
{
    public bool IsKeyed => KeyName is not null;
}
