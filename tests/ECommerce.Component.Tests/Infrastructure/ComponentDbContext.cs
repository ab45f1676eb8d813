using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A service database as the platform sees it: the messaging tables from <see cref="MessagingDbContext"/> plus the
/// consumers' effects.</summary>
public sealed class ComponentDbContext(DbContextOptions<ComponentDbContext> options) : MessagingDbContext(options)
{
    public DbSet<Effect> Effects => Set<Effect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Effect>(e =>
        {
            e.ToTable("effects");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.Kind).HasMaxLength(100);
            e.Property(x => x.Amount).HasPrecision(18, 2);
        });
    }
}
