using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>The sequencing group's database: the platform's messaging tables plus what the consumer records.</summary>
public sealed class SequenceDbContext(DbContextOptions<SequenceDbContext> options) : MessagingDbContext(options)
{
    public DbSet<AppliedMessage> Applied => Set<AppliedMessage>();

    public DbSet<KeyProgress> Progress => Set<KeyProgress>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<AppliedMessage>(e =>
        {
            e.ToTable("applied_messages");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedOnAdd();
            // Deliberately not unique: a duplicate that got past the inbox must show up as a second row, not as an error.
            e.HasIndex(x => x.MessageId);
            e.HasIndex(x => new { x.Key, x.Sequence });
            e.Property(x => x.Instance).HasMaxLength(50);
            e.Property(x => x.Topic).HasMaxLength(200);
        });
        modelBuilder.Entity<KeyProgress>(e =>
        {
            e.ToTable("key_progress");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).ValueGeneratedNever();
        });
    }
}
