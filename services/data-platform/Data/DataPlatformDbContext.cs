using ECommerce.DataPlatform.Events;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Data;

public sealed class DataPlatformDbContext(DbContextOptions<DataPlatformDbContext> options) : MessagingDbContext(options)
{
    public DbSet<IngestedEvent> Events => Set<IngestedEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<IngestedEvent>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.MessageId).IsUnique();
            e.HasIndex(x => new { x.Topic, x.Sequence });
            e.Property(x => x.Topic).HasMaxLength(100);
            e.Property(x => x.PartitionKey).HasMaxLength(100);
            e.Property(x => x.MessageType).HasMaxLength(300);
        });
    }
}
