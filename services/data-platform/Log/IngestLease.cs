using ECommerce.DataPlatform.Data;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Log;

/// <summary>Which instance reads the retained log. Each instance would assign itself every partition (no consumer group shares
/// them out, since the positions live in the database), so instances sharing a database take turns by lease: one applies the
/// log, the others wait to take over when its lease expires. Kept in the outbox's lease table, a general (name, owner, expiry)
/// table of the service's database.</summary>
public sealed class IngestLease(TimeProvider clock)
{
    const string Name = "data-platform.log-ingest";

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Takes the lease if it is free or expired, or renews it. A conditional update is atomic on both providers.</summary>
    public async Task<bool> TryAcquireAsync(DataPlatformDbContext db, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = clock.GetUtcNow();
        var expires = now + duration;
        var updated = await db.OutboxLeases
            .Where(x => x.Name == Name && (x.Owner == Owner || x.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Owner, Owner).SetProperty(x => x.ExpiresAt, expires), cancellationToken)
            .ConfigureAwait(false);
        if (updated == 1)
            return true;
        if (await db.OutboxLeases.AnyAsync(x => x.Name == Name, cancellationToken).ConfigureAwait(false))
            return false;

        db.OutboxLeases.Add(new OutboxLease { Name = Name, Owner = Owner, ExpiresAt = expires });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Renews the lease only if this instance still holds it. Run first in each batch's transaction: on PostgreSQL the
    /// updated row stays locked until commit, so no other instance can take the lease over while the batch is being written.</summary>
    public async Task<bool> RenewAsync(DataPlatformDbContext db, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var expires = clock.GetUtcNow() + duration;
        return await db.OutboxLeases.Where(x => x.Name == Name && x.Owner == Owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, expires), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The instance holding the lease now, if any: none when nobody took it or its holder let it expire.</summary>
    public async Task<string?> HolderAsync(DataPlatformDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = clock.GetUtcNow();
        var lease = await db.OutboxLeases.AsNoTracking().FirstOrDefaultAsync(x => x.Name == Name, cancellationToken).ConfigureAwait(false);
        return lease is not null && lease.ExpiresAt > now ? lease.Owner : null;
    }

    /// <summary>Hands the lease back at shutdown so another instance need not wait for it to expire.</summary>
    public Task ReleaseAsync(DataPlatformDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var past = DateTimeOffset.UnixEpoch;
        return db.OutboxLeases.Where(x => x.Name == Name && x.Owner == Owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, past), cancellationToken);
    }
}
