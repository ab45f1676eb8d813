using System.Text.Json;
using ECommerce.ServiceDefaults.Messaging;
using Xunit;

namespace ECommerce.Component.Tests.Contracts;

/// <summary>Every contract's current wire shape against its checked-in sample: properties may be added, never removed, renamed
/// or retyped, because a consumer deployed earlier still reads the old shape.</summary>
public sealed class ContractShapeTests
{
    public static TheoryData<string> ContractNames() => [.. MessageCatalog.ContractTypes.Select(t => t.FullName!)];

    [Fact]
    public void EveryContractHasACheckedInSample()
    {
        var missing = MessageCatalog.ContractTypes.Where(t => ContractSamples.Read(t) is null).ToList();
        if (missing.Count > 0 && ContractSamples.UpdateRequested)
        {
            foreach (var contract in missing)
                ContractSamples.Write(contract);
            return;
        }

        Assert.True(missing.Count == 0,
            $"No wire sample for {string.Join(", ", missing.Select(t => t.Name))}. A new message must be registered: run the tests once with " +
            $"{ContractSamples.UpdateVariable}=1 and commit the new ContractSamples/*.json.");
    }

    [Fact]
    public void EverySampleStillHasItsContract()
    {
        var contracts = MessageCatalog.ContractTypes.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var orphans = ContractSamples.SampleNames().Where(name => !contracts.Contains(name)).ToList();
        Assert.True(orphans.Count == 0,
            $"Samples without a contract: {string.Join(", ", orphans)}. Removing or renaming a message type breaks its consumers.");
    }

    [Theory]
    [MemberData(nameof(ContractNames))]
    public void CurrentWireShapeKeepsEverySampledProperty(string contractName)
    {
        var contract = MessageCatalog.FindByName(contractName)!;
        var sample = ContractSamples.Read(contract);
        if (sample is null)
            return; // Reported by EveryContractHasACheckedInSample.

        var breaking = JsonShape.BreakingChanges(JsonShape.Of(sample), JsonShape.Of(ContractSamples.CurrentWireJson(contract)));

        Assert.True(breaking.Count == 0, $"{contract.Name} broke its wire contract: {string.Join("; ", breaking)}");
    }

    [Theory]
    [MemberData(nameof(ContractNames))]
    public void SampleIsReadableByTheCurrentContract(string contractName)
    {
        var contract = MessageCatalog.FindByName(contractName)!;
        var sample = ContractSamples.Read(contract);
        if (sample is null)
            return;

        // A message written by an older producer still deserializes, with every sampled value kept.
        var message = JsonSerializer.Deserialize(sample, contract, ContractSamples.WireOptions);
        Assert.NotNull(message);
        var reread = JsonShape.Of(JsonSerializer.Serialize(message, contract, ContractSamples.WireOptions));
        Assert.Empty(JsonShape.BreakingChanges(JsonShape.Of(sample), reread));
    }

    [Theory]
    [MemberData(nameof(ContractNames))]
    public void OutboxRowsKeepEveryWireProperty(string contractName)
    {
        // The outbox stores bodies with MessageJson and the relay re-reads them before MassTransit serializes: nothing may be
        // lost between commit and publish. (The JSON types may differ: MassTransit writes decimals as strings, MessageJson as
        // numbers; both read either.)
        var contract = MessageCatalog.FindByName(contractName)!;
        var instance = CanonicalInstances.Create(contract);
        var atRest = JsonSerializer.Serialize(instance, contract, MessageJson.Options);
        var relayed = JsonSerializer.Deserialize(atRest, contract, MessageJson.Options);

        Assert.Equal(JsonShape.Of(ContractSamples.CurrentWireJson(contract)).Paths.Keys, JsonShape.Of(atRest).Paths.Keys);
        Assert.Equal(ContractSamples.CurrentWireJson(contract), JsonSerializer.Serialize(relayed, contract, ContractSamples.WireOptions));
    }
}
