using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>The platform's messaging tables for the double's host (its outbox relay and dead-letter recorders need them).</summary>
public sealed class DoubleDbContext(DbContextOptions<DoubleDbContext> options) : MessagingDbContext(options);
