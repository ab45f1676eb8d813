using System.Diagnostics;
using System.Text.Json;
using ECommerce.DataPlatform.Data;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;

namespace ECommerce.DataPlatform.Events;

/// <summary>Appends every event of the domain topics to the event log, once per message id.</summary>
public sealed class IngestConsumer<TMessage>(DataPlatformDbContext db, TimeProvider clock) : TransactionalConsumer<TMessage, DataPlatformDbContext>(db)
    where TMessage : class
{
    // One inbox name for every message type: the event log holds each message once, whatever its type.
    protected override string InboxName => "data-platform.ingest";

    protected override Task HandleAsync(ConsumeContext<TMessage> context)
    {
        var descriptor = MessageCatalog.Describe(typeof(TMessage));
        Db.Events.Add(new IngestedEvent
        {
            MessageId = context.MessageId!.Value,
            Topic = descriptor.Topic.Name,
            PartitionKey = descriptor.PartitionKeyOf(context.Message),
            MessageType = typeof(TMessage).Name,
            Payload = JsonSerializer.Serialize(context.Message, MessageJson.Options),
            TraceId = Activity.Current?.TraceId.ToString(),
            IngestedAt = clock.GetUtcNow(),
        });
        return Task.CompletedTask;
    }
}
