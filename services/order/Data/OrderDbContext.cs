using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Data;

/// <summary>The order service's database. Its business tables arrive with the order service's own issue.</summary>
public sealed class OrderDbContext(DbContextOptions<OrderDbContext> options) : MessagingDbContext(options);
