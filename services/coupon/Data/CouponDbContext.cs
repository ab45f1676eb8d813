using ECommerce.Coupon.Coupons;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Coupon.Data;

public sealed class CouponDbContext(DbContextOptions<CouponDbContext> options) : MessagingDbContext(options)
{
    public DbSet<CouponEntity> Coupons => Set<CouponEntity>();

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
    }
}
