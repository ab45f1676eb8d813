using Microsoft.EntityFrameworkCore;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Opens a service's database from the test's side, on whichever provider its connection string names, to read
/// what a service instance in another process recorded.</summary>
public static class DatabaseContexts
{
    public static TDbContext Open<TDbContext>(string connectionString, Func<DbContextOptions<TDbContext>, TDbContext> create)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(create);
        var options = new DbContextOptionsBuilder<TDbContext>();
        if (connectionString.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
            options.UseNpgsql(connectionString);
        else
            options.UseSqlite(connectionString + ";Default Timeout=30");
        return create(options.Options);
    }
}
