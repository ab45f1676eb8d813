using ECommerce.Order.Orders;
using ECommerce.Order.Products;
using ECommerce.Order.Sagas;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Data;

/// <summary>The order service's database: products and their stock, orders, and the order saga's state, so a saga step,
/// the stock it moves and the messages it produces commit together.</summary>
public sealed class OrderDbContext(DbContextOptions<OrderDbContext> options) : MessagingDbContext(options)
{
    public DbSet<ProductEntity> Products => Set<ProductEntity>();

    public DbSet<OrderEntity> Orders => Set<OrderEntity>();

    public DbSet<OrderLineEntity> OrderLines => Set<OrderLineEntity>();

    public DbSet<OrderState> OrderSagas => Set<OrderState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ProductEntity>(e =>
        {
            e.ToTable("products");
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Price).HasPrecision(18, 2);
        });
        modelBuilder.Entity<OrderEntity>(e =>
        {
            e.ToTable("orders");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.FailureReason).HasMaxLength(40);
            e.Property(x => x.IdempotencyKey).HasMaxLength(200);
            e.Property(x => x.TotalAmount).HasPrecision(18, 2);
            e.Property(x => x.DiscountAmount).HasPrecision(18, 2);
            e.Property(x => x.PaidAmount).HasPrecision(18, 2);
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasMany(x => x.Lines).WithOne().HasForeignKey(l => l.OrderId);
        });
        modelBuilder.Entity<OrderLineEntity>(e =>
        {
            e.ToTable("order_lines");
            e.HasKey(x => new { x.OrderId, x.LineNumber });
            e.Property(x => x.UnitPrice).HasPrecision(18, 2);
            e.Property(x => x.Amount).HasPrecision(18, 2);
        });
        modelBuilder.Entity<OrderState>(e =>
        {
            e.ToTable("order_sagas");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.CurrentState).HasMaxLength(40);
            e.Property(x => x.FailureReason).HasMaxLength(40);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.Property(x => x.TotalAmount).HasPrecision(18, 2);
            e.Property(x => x.DiscountAmount).HasPrecision(18, 2);
            e.Property(x => x.PaidAmount).HasPrecision(18, 2);
            e.HasIndex(x => x.TimeoutAt);
        });
    }
}
