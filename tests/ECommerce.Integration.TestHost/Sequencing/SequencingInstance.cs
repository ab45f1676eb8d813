namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>The name this instance writes into what it applies (configuration <c>Sequencing:Instance</c>).</summary>
public sealed record SequencingInstance(string Name);
