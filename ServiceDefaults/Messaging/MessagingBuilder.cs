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
        Registrations.Add(x => x.AddConsumer<TConsumer, TDefinition>());
        Subscriptions.Add(new TopicSubscription(topic, ConsumedOn<TConsumer>(topic), (e, ctx) => e.ConfigureConsumer<TConsumer>(ctx)));
        return this;
    }

    /// <summary>Consumes <paramref name="topic"/> with <typeparamref name="TConsumer"/> without a definition of its own.</summary>
    public MessagingBuilder Consume<TConsumer>(string topic)
        where TConsumer : class, IConsumer
    {
        Registrations.Add(x => x.AddConsumer<TConsumer>());
        Subscriptions.Add(new TopicSubscription(topic, ConsumedOn<TConsumer>(topic), (e, ctx) => e.ConfigureConsumer<TConsumer>(ctx)));
        return this;
    }

    /// <summary>The general form, for sagas and anything else: register with the bus, then configure each of the topic's
    /// queues. <paramref name="messageTypes"/> are the types the configured endpoint consumes (a saga's events, say); those
    /// published on other topics never arrive on this topic's queues and are ignored here.</summary>
    public MessagingBuilder Subscribe(string topic, IEnumerable<Type> messageTypes, Action<IBusRegistrationConfigurator> register,
        Action<IReceiveEndpointConfigurator, IRegistrationContext> configure)
    {
        ArgumentNullException.ThrowIfNull(messageTypes);
        TopicCatalog.Get(topic);
        // Describe also refuses a type that declares no topic.
        var types = messageTypes.Where(t => MessageCatalog.Describe(t).Topic.Name == topic).ToList();
        Registrations.Add(register);
        Subscriptions.Add(new TopicSubscription(topic, types, configure));
        return this;
    }

    /// <summary>The message types a state machine's events carry, for <see cref="Subscribe"/>.</summary>
    public static IReadOnlyList<Type> EventTypesOf(StateMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        return machine.Events
            .SelectMany(e => e.GetType().GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Event<>))
            .Select(i => i.GetGenericArguments()[0])
            .Distinct()
            .ToList();
    }

    /// <summary>The types <typeparamref name="TConsumer"/> consumes (its <see cref="IConsumer{TMessage}"/> interfaces), for
    /// <see cref="Subscribe"/>.</summary>
    public static IReadOnlyList<Type> ConsumedTypesOf<TConsumer>()
        where TConsumer : class, IConsumer =>
        typeof(TConsumer).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToList();

    /// <summary>The types <typeparamref name="TConsumer"/> consumes, each of which must be published on
    /// <paramref name="topic"/>: one published elsewhere would never reach this topic's queues.</summary>
    static IReadOnlyList<Type> ConsumedOn<TConsumer>(string topic)
        where TConsumer : class, IConsumer
    {
        TopicCatalog.Get(topic);
        var types = ConsumedTypesOf<TConsumer>();
        foreach (var type in types)
        {
            var published = MessageCatalog.Describe(type).Topic.Name;
            if (published != topic)
                throw new InvalidOperationException(
                    $"{typeof(TConsumer).Name} consumes {type.Name}, which is published on '{published}', not on '{topic}' where it is subscribed.");
        }

        return types;
    }
}
