namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>The two database providers the platform supports; tests where the database takes part run on both.</summary>
public enum DatabaseKind
{
    PostgreSql,
    Sqlite,
}
