using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using ECommerce.Contracts.Topology;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Reads the topic and partition key a contract declares. Computed once per type.</summary>
public static class MessageCatalog
{
    /// <summary>Every message type of the contracts assembly: the types that declare a topic.</summary>
    public static IReadOnlyList<Type> ContractTypes { get; } = typeof(TopicAttribute).Assembly.GetExportedTypes()
        .Where(t => t.GetCustomAttribute<TopicAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    static readonly ConcurrentDictionary<Type, MessageDescriptor> Cache = new();
    static readonly Lazy<IReadOnlyDictionary<string, Type>> TypesByName = new(() =>
        ContractTypes.ToDictionary(t => t.FullName!, StringComparer.Ordinal));
    static readonly Lazy<IReadOnlyDictionary<string, Type>> TypesByUrn = new(() =>
        ContractTypes.ToDictionary(t => MessageUrn.ForTypeString(t), StringComparer.Ordinal));

    public static MessageDescriptor Describe(Type messageType) => Cache.GetOrAdd(messageType, Build);

    public static Type? FindByName(string fullName) => TypesByName.Value.GetValueOrDefault(fullName);

    public static Type? FindByUrn(string urn) => TypesByUrn.Value.GetValueOrDefault(urn);

    /// <summary>The topics consumer group <paramref name="group"/> reads (those of the types <see cref="ConsumerGroups"/> lists
    /// for it), in the catalog's order; none for a group not listed.</summary>
    public static IReadOnlyList<string> TopicsOf(string group)
    {
        if (!ConsumerGroups.All.TryGetValue(group, out var types))
            return [];
        var topics = types.Select(t => Describe(t).Topic.Name).ToHashSet(StringComparer.Ordinal);
        return TopicCatalog.All.Select(t => t.Name).Where(topics.Contains).ToList();
    }

    /// <summary>The types <see cref="ConsumerGroups"/> lists for <paramref name="group"/> that are published on
    /// <paramref name="topic"/>.</summary>
    public static IReadOnlyList<Type> TypesOf(string group, string topic) =>
        ConsumerGroups.All.TryGetValue(group, out var types) ? types.Where(t => Describe(t).Topic.Name == topic).ToList() : [];

    static MessageDescriptor Build(Type type)
    {
        var topicName = type.GetCustomAttribute<TopicAttribute>()?.Name
            ?? throw new InvalidOperationException($"{type.FullName} declares no [Topic]; every message belongs to exactly one topic.");
        var topic = TopicCatalog.Get(topicName);
        var keyProperty = type.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<PartitionKeyAttribute>() is not null);
        if (topic.IsKeyed && keyProperty is null)
            throw new InvalidOperationException($"{type.FullName} is on keyed topic '{topic.Name}' but marks no [PartitionKey] property.");
        if (!topic.IsKeyed && keyProperty is not null)
            throw new InvalidOperationException($"{type.FullName} is on unkeyed topic '{topic.Name}' but marks a [PartitionKey] property.");
        return new MessageDescriptor(type, topic, keyProperty);
    }
}

/// <summary>What the outbox needs to route one message type.</summary>
public sealed class MessageDescriptor(Type type, TopicDefinition topic, PropertyInfo? keyProperty)
{
    public Type Type { get; } = type;

    public TopicDefinition Topic { get; } = topic;

    public string? PartitionKeyOf(object message) =>
        keyProperty is null ? null : Convert.ToString(keyProperty.GetValue(message), CultureInfo.InvariantCulture);
}
