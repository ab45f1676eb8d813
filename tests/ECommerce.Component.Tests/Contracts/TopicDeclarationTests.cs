using System.Reflection;
using System.Text.Json;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using Xunit;

namespace ECommerce.Component.Tests.Contracts;

/// <summary>What the outbox and the topology rely on: every message belongs to exactly one known topic, keyed topics carry
/// their key, and nothing in the contracts assembly is a message that forgot its topic.</summary>
public sealed class TopicDeclarationTests
{
    static readonly Assembly ContractsAssembly = typeof(TopicAttribute).Assembly;

    [Fact]
    public void ContractsAreFound() => Assert.NotEmpty(MessageCatalog.ContractTypes);

    [Theory]
    [MemberData(nameof(ContractShapeTests.ContractNames), MemberType = typeof(ContractShapeTests))]
    public void ContractDeclaresExactlyOneKnownTopicAndItsKey(string contractName)
    {
        var contract = MessageCatalog.FindByName(contractName)!;

        var topics = contract.GetCustomAttributes<TopicAttribute>(inherit: false).ToList();
        var declared = Assert.Single(topics);
        Assert.Contains(TopicCatalog.All, t => t.Name == declared.Name);

        // Describe throws for a keyed topic without [PartitionKey] and for a key on an unkeyed topic.
        var descriptor = MessageCatalog.Describe(contract);
        Assert.Equal(declared.Name, descriptor.Topic.Name);

        var keys = contract.GetProperties().Where(p => p.GetCustomAttribute<PartitionKeyAttribute>() is not null).ToList();
        if (descriptor.Topic.IsKeyed)
        {
            // The key is the property the topic is documented to be keyed by, under its wire name.
            var key = Assert.Single(keys);
            Assert.Equal(descriptor.Topic.KeyName, JsonNamingPolicy.CamelCase.ConvertName(key.Name));
            Assert.NotNull(descriptor.PartitionKeyOf(CanonicalInstances.Create(contract)));
        }
        else
        {
            Assert.Empty(keys);
        }
    }

    [Fact]
    public void EveryTopicCarriesAtLeastOneMessage()
    {
        var used = MessageCatalog.ContractTypes.Select(t => MessageCatalog.Describe(t).Topic.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(TopicCatalog.All, topic => Assert.Contains(topic.Name, used));
    }

    [Fact]
    public void MessageTypeNamesAreUnique()
    {
        // The data platform records events by short type name; two contracts with one name would be indistinguishable there.
        var duplicates = MessageCatalog.ContractTypes.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void EveryOtherContractTypeIsPartOfAMessage()
    {
        // A public record that is neither a message nor used inside one is most likely a message that forgot its [Topic].
        var parts = MessageCatalog.ContractTypes.SelectMany(PartTypes).ToHashSet();
        var strays = ContractsAssembly.GetExportedTypes()
            .Where(t => t.Namespace != typeof(TopicAttribute).Namespace)
            .Where(t => !(t.IsAbstract && t.IsSealed)) // static holders of constants
            .Where(t => !MessageCatalog.ContractTypes.Contains(t) && !parts.Contains(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(strays.Count == 0, $"Contract types that are no message and no part of one (missing [Topic]?): {string.Join(", ", strays)}");
    }

    static IEnumerable<Type> PartTypes(Type type) =>
        type.GetProperties()
            .Select(p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)
            .Select(t => CanonicalInstances.ElementTypeOf(t) ?? t)
            .Where(t => t.Assembly == ContractsAssembly)
            .SelectMany(t => PartTypes(t).Prepend(t));
}
