namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>The two database providers the coupon service supports; every test runs on both.</summary>
public enum DatabaseKind
{
    PostgreSql,
    Sqlite,
}
