using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Base of every service's DbContext: the outbox, inbox and dead-letter tables live in the service's own database
/// so that they commit in the same transaction as the service's state.</summary>
public abstract class MessagingDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<OutboxLease> OutboxLeases => Set<OutboxLease>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    public DbSet<DeadLetter> DeadLetters => Set<DeadLetter>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // SQLite cannot compare or order DateTimeOffset values; every timestamp here is UTC, so its binary (ticks) form
        // orders correctly.
        if (Database.IsSqlite())
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();
            e.Property(x => x.Topic).HasMaxLength(100);
            e.Property(x => x.PartitionKey).HasMaxLength(100);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.TraceParent).HasMaxLength(100);
            e.Property(x => x.TraceState).HasMaxLength(500);
            e.Property(x => x.LastError).HasMaxLength(2000);
        });

        modelBuilder.Entity<OutboxLease>(e =>
        {
            e.ToTable("outbox_leases");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.Owner).HasMaxLength(200);
        });

        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(x => new { x.MessageId, x.Consumer });
            e.Property(x => x.Consumer).HasMaxLength(300);
            e.HasIndex(x => x.ProcessedAt);
        });

        modelBuilder.Entity<DeadLetter>(e =>
        {
            e.ToTable("dead_letters");
            e.HasKey(x => x.Id);
            e.Property(x => x.Queue).HasMaxLength(300);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.ContentType).HasMaxLength(200);
            e.HasIndex(x => x.FaultedAt);
        });
    }
}
