namespace ECommerce.Dashboard.Tests;

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardSuite>
{
    public const string Name = "dashboard";
}
