using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>A test service's database: the platform's messaging tables plus a ledger of effects.</summary>
public sealed class LedgerDbContext(DbContextOptions<LedgerDbContext> options) : MessagingDbContext(options)
{
    public DbSet<LedgerEntry> Entries => Set<LedgerEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<LedgerEntry>(e =>
        {
            e.ToTable("ledger_entries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.HasIndex(x => x.MessageId);
            e.Property(x => x.Kind).HasMaxLength(50);
        });
    }
}
