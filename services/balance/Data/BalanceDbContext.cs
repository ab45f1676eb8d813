using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Balance.Data;

/// <summary>The balance service's database. Its business tables arrive with the balance service's own issue.</summary>
public sealed class BalanceDbContext(DbContextOptions<BalanceDbContext> options) : MessagingDbContext(options);
