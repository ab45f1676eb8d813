using ECommerce.Contracts.Topology;
using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Declares what a service's consumer group consumes. Each topic becomes the group's queues (one per partition of
/// a keyed topic), whatever the transport.</summary>
public sealed class MessagingBuilder
{
    internal List<TopicSubscription> Subscriptions { get; } = [];

    internal List<Action<IBusRegistrationConfigurator>> Registrations { get; } = [];

    /// <summary>Consumes <paramref name="topic"/> with <typeparamref name="TConsumer"/>, configured by its definition.</summary>
    public MessagingBuilder Consume<TConsumer, TDefinition>(string topic)
        where TConsumer : class, IConsumer
        where TDefinition : class, IConsumerDefinition<TConsumer>
    {
        TopicCatalog.Get(topic);
        Registrations.Add(x => x.AddConsumer<TConsumer, TDefinition>());
        Subscriptions.Add(new TopicSubscription(topic, (e, ctx) => e.ConfigureConsumer<TConsumer>(ctx)));
        return this;
    }

    /// <summary>Consumes <paramref name="topic"/> with <typeparamref name="TConsumer"/> without a definition of its own.</summary>
    public MessagingBuilder Consume<TConsumer>(string topic)
        where TConsumer : class, IConsumer
    {
        TopicCatalog.Get(topic);
        Registrations.Add(x => x.AddConsumer<TConsumer>());
        Subscriptions.Add(new TopicSubscription(topic, (e, ctx) => e.ConfigureConsumer<TConsumer>(ctx)));
        return this;
    }

    /// <summary>The general form, for sagas and anything else: register with the bus, then configure each of the topic's
    /// queues.</summary>
    public MessagingBuilder Subscribe(string topic, Action<IBusRegistrationConfigurator> register,
        Action<IReceiveEndpointConfigurator, IRegistrationContext> configure)
    {
        TopicCatalog.Get(topic);
        Registrations.Add(register);
        Subscriptions.Add(new TopicSubscription(topic, configure));
        return this;
    }
}
