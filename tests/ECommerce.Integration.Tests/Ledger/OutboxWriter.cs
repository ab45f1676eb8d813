using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Produces charges the way a service does, through <see cref="IOutbox"/> and one SaveChanges, on a producer host's
/// services whether or not the host (and so its relay) runs.</summary>
public static class OutboxWriter
{
    /// <summary>Commits one charge for each of <paramref name="count"/> users in a single transaction; returns the message ids.</summary>
    public static async Task<IReadOnlyList<Guid>> CommitChargesAsync(IServiceProvider services, int count)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProducerDbContext>();
        // The schema is normally created by a hosted service when the host starts; here the host may never have started.
        await SchemaSynchronizer.SynchronizeAsync(db, CancellationToken.None).ConfigureAwait(false);
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var ids = Enumerable.Range(1, count)
            .Select(user => outbox.Add(new BalanceCharged(Guid.NewGuid(), user, 5m, 5m, 1, DateTimeOffset.UtcNow)))
            .ToList();
        await db.SaveChangesAsync().ConfigureAwait(false);
        return ids;
    }

    /// <summary>The outbox rows still in the table: not yet published, or published and not yet deleted.</summary>
    public static async Task<List<OutboxMessage>> PendingAsync(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProducerDbContext>();
        return await db.OutboxMessages.AsNoTracking().ToListAsync().ConfigureAwait(false);
    }
}
