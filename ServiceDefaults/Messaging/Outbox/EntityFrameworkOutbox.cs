using System.Diagnostics;
using System.Text.Json;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

internal sealed class EntityFrameworkOutbox(MessagingDbContext db, TimeProvider clock) : IOutbox
{
    public Guid Add<T>(T message) where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        var descriptor = MessageCatalog.Describe(message.GetType());
        var activity = Activity.Current;
        var row = new OutboxMessage
        {
            Id = NewId.NextGuid(),
            Topic = descriptor.Topic.Name,
            PartitionKey = descriptor.PartitionKeyOf(message),
            MessageType = descriptor.Type.FullName!,
            Body = JsonSerializer.Serialize(message, descriptor.Type, MessageJson.Options),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            CreatedAt = clock.GetUtcNow(),
        };
        db.OutboxMessages.Add(row);
        return row.Id;
    }
}
