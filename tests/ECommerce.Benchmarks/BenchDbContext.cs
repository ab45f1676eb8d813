using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Benchmarks;

/// <summary>A database with nothing but the messaging tables: the outbox benchmark measures the relay alone.</summary>
public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : MessagingDbContext(options);
