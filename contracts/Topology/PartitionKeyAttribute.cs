namespace ECommerce.Contracts.Topology;

/// <summary>Marks the property whose value is the message's partition key on a keyed topic.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class PartitionKeyAttribute : Attribute;
