using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>A producing service's database: nothing but the platform's messaging tables (the outbox is what matters).</summary>
public sealed class ProducerDbContext(DbContextOptions<ProducerDbContext> options) : MessagingDbContext(options);
