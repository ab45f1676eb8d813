using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>What a service wrote to its outbox, kept after the relay deleted the rows it published: a SQLite trigger copies
/// every committed row into <c>outbox_history</c> in the same transaction. Tests assert on what a unit of work produced
/// without racing the relay.</summary>
public static class OutboxHistory
{
    public static Task<int> InstallAsync(MessagingDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.ExecuteSqlRawAsync("""
            CREATE TABLE IF NOT EXISTS outbox_history AS SELECT * FROM outbox_messages WHERE 0;
            CREATE TRIGGER IF NOT EXISTS outbox_history_copy AFTER INSERT ON outbox_messages
            BEGIN
                INSERT INTO outbox_history SELECT * FROM outbox_messages WHERE "Sequence" = NEW."Sequence";
            END;
            """);
    }

    /// <summary>Every row the service committed to its outbox, published or not.</summary>
    public static IQueryable<OutboxMessage> Rows(MessagingDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.OutboxMessages.FromSqlRaw("SELECT * FROM outbox_history").AsNoTracking();
    }
}
