using ECommerce.ServiceDefaults.Persistence;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

internal sealed class EntityFrameworkOutbox(MessagingDbContext db, TimeProvider clock) : IOutbox
{
    public Guid Add<T>(T message) where T : class
    {
        var row = OutboxBatch.Row(message, clock.GetUtcNow());
        db.OutboxMessages.Add(row);
        return row.Id;
    }
}
