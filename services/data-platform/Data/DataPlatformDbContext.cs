using ECommerce.DataPlatform.Events;
using ECommerce.DataPlatform.Log;
using ECommerce.DataPlatform.Projections;
using ECommerce.DataPlatform.Replay;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Data;

public sealed class DataPlatformDbContext(DbContextOptions<DataPlatformDbContext> options) : MessagingDbContext(options)
{
    public DbSet<IngestedEvent> Events => Set<IngestedEvent>();

    public DbSet<StatsTotals> Totals => Set<StatsTotals>();

    public DbSet<ProductStats> Products => Set<ProductStats>();

    public DbSet<PartitionOffset> PartitionOffsets => Set<PartitionOffset>();

    public DbSet<ReplayRequest> Replays => Set<ReplayRequest>();

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
            e.HasIndex(x => new { x.Topic, x.Partition, x.Offset });
            e.Property(x => x.Topic).HasMaxLength(100);
            e.Property(x => x.PartitionKey).HasMaxLength(100);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.TraceId).HasMaxLength(32);
        });
        modelBuilder.Entity<StatsTotals>(e =>
        {
            e.ToTable("stats_totals");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<ProductStats>(e =>
        {
            e.ToTable("stats_products");
            e.HasKey(x => x.ProductId);
            // The product's own id, never generated: EF would otherwise replace an empty GUID with a new one on every insert.
            e.Property(x => x.ProductId).ValueGeneratedNever();
            e.HasIndex(x => x.Quantity);
            e.HasIndex(x => x.RevenueCents);
        });
        // Positions in Kafka partitions. A table of its own rather than stream_offsets re-keyed: positions in the RabbitMQ
        // streams mean nothing in a Kafka partition, and the schema is only ever extended, so that table stays, unread.
        modelBuilder.Entity<PartitionOffset>(e =>
        {
            e.ToTable("partition_offsets");
            e.HasKey(x => new { x.Topic, x.Partition });
            e.Property(x => x.Topic).HasMaxLength(200);
        });
        modelBuilder.Entity<ReplayRequest>(e =>
        {
            e.ToTable("replays");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.Error).HasMaxLength(2000);
            e.HasIndex(x => new { x.Status, x.RequestedAt });
        });
    }
}
