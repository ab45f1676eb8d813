namespace ECommerce.AppHost.Tests.EndToEnd;

/// <summary>The end-to-end tests each start a whole suite; one at a time leaves the two cores to it (the dashboard tests'
/// suite runs beside them).</summary>
[CollectionDefinition(Name)]
public sealed class SuiteCollection
{
    public const string Name = "end-to-end suites";
}
