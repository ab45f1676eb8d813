using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

public sealed class DatabaseConnectionTests
{
    static DatabaseConnection Resolve(string connectionString) =>
        DatabaseConnection.Resolve(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:coupon"] = connectionString })
            .Build(), "coupon");

    [Fact]
    public void PostgreSql_prepares_repeated_statements_unless_the_string_says_otherwise()
    {
        var resolved = Resolve("Host=127.0.0.1;Port=5432;Database=coupon;Username=postgres");
        Assert.Equal(DatabaseProvider.PostgreSql, resolved.Provider);
        var builder = new NpgsqlConnectionStringBuilder(resolved.ConnectionString);
        Assert.Equal(128, builder.MaxAutoPrepare);
        Assert.Equal("coupon", builder.Database);
        Assert.Equal(5432, builder.Port);

        Assert.Equal(0, new NpgsqlConnectionStringBuilder(Resolve("Host=127.0.0.1;Database=coupon;Max Auto Prepare=0").ConnectionString).MaxAutoPrepare);
        Assert.Equal(16, new NpgsqlConnectionStringBuilder(Resolve("Host=127.0.0.1;Database=coupon;MaxAutoPrepare=16").ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public void Sqlite_waits_for_a_busy_database_and_keeps_what_the_string_sets()
    {
        var resolved = Resolve("Data Source=/tmp/coupon-test.db");
        Assert.Equal(DatabaseProvider.Sqlite, resolved.Provider);
        Assert.Contains("Default Timeout=30", resolved.ConnectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("Auto Prepare", resolved.ConnectionString, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Data Source=/tmp/coupon-test.db;Default Timeout=5", Resolve("Data Source=/tmp/coupon-test.db;Default Timeout=5").ConnectionString);
    }
}
