namespace ECommerce.Contracts.Topology;

/// <summary>Declares the topic a message is published to. Every message type carries exactly one.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TopicAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
