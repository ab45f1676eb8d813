using ECommerce.Balance.Accounts;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Balance.Data;

/// <summary>The balance service's database. The account and entry tables have snake_case columns: the locking statements
/// (<see cref="AccountLocks"/>) are hand-written SQL shared by PostgreSQL and SQLite.</summary>
public sealed class BalanceDbContext(DbContextOptions<BalanceDbContext> options) : MessagingDbContext(options)
{
    public DbSet<BalanceAccount> Accounts => Set<BalanceAccount>();

    public DbSet<BalanceEntry> Entries => Set<BalanceEntry>();

    public DbSet<DeductionDecision> DeductionDecisions => Set<DeductionDecision>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<BalanceAccount>(e =>
        {
            // The last defence of "never negative": a bug that skipped the check could not commit.
            e.ToTable("balance_accounts", t => t.HasCheckConstraint("ck_balance_accounts_not_negative", "balance_cents >= 0"));
            e.HasKey(x => x.UserId);
            e.Property(x => x.UserId).HasColumnName("user_id").ValueGeneratedNever();
            e.Property(x => x.BalanceCents).HasColumnName("balance_cents");
            e.Property(x => x.Sequence).HasColumnName("sequence");
        });
        modelBuilder.Entity<BalanceEntry>(e =>
        {
            e.ToTable("balance_entries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.UserId).HasColumnName("user_id");
            e.Property(x => x.Sequence).HasColumnName("sequence");
            e.Property(x => x.Type).HasColumnName("type").HasMaxLength(20);
            e.Property(x => x.AmountCents).HasColumnName("amount_cents");
            e.Property(x => x.BalanceAfterCents).HasColumnName("balance_after_cents");
            e.Property(x => x.OrderId).HasColumnName("order_id");
            e.Property(x => x.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(200);
            e.Property(x => x.At).HasColumnName("at");
            e.HasIndex(x => new { x.UserId, x.Sequence }).IsUnique();
            e.HasIndex(x => new { x.OrderId, x.Type }).IsUnique();
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
        });
        modelBuilder.Entity<DeductionDecision>(e =>
        {
            e.ToTable("deduction_decisions");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.OrderId).HasColumnName("order_id");
            e.Property(x => x.UserId).HasColumnName("user_id");
            e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(40);
            e.Property(x => x.DecidedAt).HasColumnName("decided_at");
        });
    }
}
