using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using MassTransit;

namespace ECommerce.DataPlatform.Events;

public static class IngestSubscriptions
{
    /// <summary>Subscribes the data platform's group to every domain topic, with an ingest consumer per event type.</summary>
    public static MessagingBuilder IngestDomainTopics(this MessagingBuilder messaging)
    {
        foreach (var topic in TopicCatalog.All.Where(t => !t.IsCommandChannel))
        {
            var consumers = MessageCatalog.ContractTypes
                .Where(t => MessageCatalog.Describe(t).Topic.Name == topic.Name)
                .Select(t => typeof(IngestConsumer<>).MakeGenericType(t))
                .ToArray();
            messaging.Subscribe(topic.Name,
                x =>
                {
                    foreach (var consumer in consumers)
                        x.AddConsumer(consumer);
                },
                (e, context) =>
                {
                    foreach (var consumer in consumers)
                        e.ConfigureConsumer(context, consumer);
                });
        }

        return messaging;
    }
}
