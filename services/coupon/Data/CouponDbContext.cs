using ECommerce.Coupon.Coupons;
using ECommerce.Coupon.Issuing;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Data;

public sealed class CouponDbContext(DbContextOptions<CouponDbContext> options) : MessagingDbContext(options)
{
    public DbSet<CouponEntity> Coupons => Set<CouponEntity>();

    public DbSet<IssueRequestEntity> IssueRequests => Set<IssueRequestEntity>();

    public DbSet<UserCouponEntity> UserCoupons => Set<UserCouponEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<CouponEntity>(e =>
        {
            e.ToTable("coupons");
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.DiscountAmount).HasPrecision(18, 2);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<IssueRequestEntity>(e =>
        {
            e.ToTable("issue_requests");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Reason).HasMaxLength(40);
            e.Property(x => x.IdempotencyKey).HasMaxLength(200);
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => new { x.CouponId, x.Position }).IsUnique();
            // The acceptance order. PostgreSQL: an identity column, numbered when the row is inserted (a sequence, so concurrent
            // acceptances never wait for each other). SQLite has one writer at a time and numbers every row in insert order
            // already (its rowid), which PendingRequests reads instead.
            if (Database.IsNpgsql())
            {
                e.Property<long>(PendingRequests.AcceptanceOrder).UseIdentityByDefaultColumn();
                e.HasIndex(nameof(IssueRequestEntity.CouponId), nameof(IssueRequestEntity.Status), PendingRequests.AcceptanceOrder);
            }
            else
            {
                e.HasIndex(x => new { x.CouponId, x.Status });
            }
        });
        modelBuilder.Entity<UserCouponEntity>(e =>
        {
            e.ToTable("user_coupons");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => new { x.CouponId, x.UserId }).IsUnique();
            e.HasIndex(x => x.UserId);
        });
    }
}
