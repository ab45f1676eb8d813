using ECommerce.Contracts.Topology;
using MassTransit;
using MassTransit.Configuration;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>The message types a rider's consumers and sagas consume, and the check that a consumer group consumes only what
/// <see cref="ConsumerGroups"/> lists for it.</summary>
internal static class ConsumedTypes
{
    public static IReadOnlyList<Type> Of(IRiderRegistrationContext context)
    {
        var consumers = context.GetRegistrations<IConsumerRegistration>().SelectMany(r => OfConsumer(r.Type));
        var sagas = context.GetRegistrations<ISagaRegistration>().SelectMany(r => OfSaga(context, r.Type));
        return consumers.Concat(sagas).Distinct().ToList();
    }

    /// <summary>The types <paramref name="consumerType"/> consumes: its <see cref="IConsumer{TMessage}"/> interfaces.</summary>
    public static IEnumerable<Type> OfConsumer(Type consumerType) =>
        consumerType.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0]);

    /// <summary>The types a state machine saga's events carry.</summary>
    public static IEnumerable<Type> OfSaga(IServiceProvider services, Type instanceType)
    {
        if (services.GetService(typeof(SagaStateMachine<>).MakeGenericType(instanceType)) is not StateMachine machine)
            return [];
        return machine.Events
            .SelectMany(e => e.GetType().GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Event<>))
            .Select(i => i.GetGenericArguments()[0]);
    }

    /// <summary>A group <see cref="ConsumerGroups"/> lists is skipped every type it does not list (so a consumer of another
    /// type would silently never see a message), and every type it lists must be consumed from a topic it subscribes to:
    /// a service breaking either rule refuses to start. A group not listed (a test's, a tool's) may consume anything.</summary>
    public static void EnsureDeclared(string group, IEnumerable<string> topics, IReadOnlyList<Type> consumed)
    {
        if (!ConsumerGroups.All.TryGetValue(group, out var declared))
            return;
        var subscribed = topics.ToHashSet(StringComparer.Ordinal);
        var listedTopics = MessageCatalog.TopicsOf(group);
        if (subscribed.Except(listedTopics).ToList() is { Count: > 0 } undeclaredTopics)
            throw new InvalidOperationException(
                $"Group '{group}' subscribes to {string.Join(", ", undeclaredTopics)}, of which ConsumerGroups lists no type for it: add the types it consumes there.");
        var relevant = consumed.Where(t => MessageCatalog.ContractTypes.Contains(t) && subscribed.Contains(MessageCatalog.Describe(t).Topic.Name));
        if (relevant.Except(declared).Select(t => t.FullName).ToList() is { Count: > 0 } undeclaredTypes)
            throw new InvalidOperationException(
                $"Group '{group}' consumes {string.Join(", ", undeclaredTypes)}, which ConsumerGroups does not list for it: add them there, or the group skips them.");
        if (consumed.Where(t => MessageCatalog.ContractTypes.Contains(t) && !subscribed.Contains(MessageCatalog.Describe(t).Topic.Name))
                .Select(t => $"{t.Name} (published on '{MessageCatalog.Describe(t).Topic.Name}')").ToList() is { Count: > 0 } unsubscribed)
            throw new InvalidOperationException(
                $"Group '{group}' consumes {string.Join(", ", unsubscribed)} without a topic endpoint on that topic: it would never arrive.");
        if (declared.Except(consumed).Select(t => t.FullName).ToList() is { Count: > 0 } unconsumed)
            throw new InvalidOperationException(
                $"ConsumerGroups lists {string.Join(", ", unconsumed)} for group '{group}', which nothing of it consumes: its records would be fetched only to be skipped. Remove them there.");
    }

    /// <summary>For a group not listed: every contract type consumed must be published on a topic it subscribes to.</summary>
    public static void EnsureSubscribed(IEnumerable<string> topics, IReadOnlyList<Type> consumed)
    {
        var subscribed = topics.ToHashSet(StringComparer.Ordinal);
        if (consumed.Where(t => MessageCatalog.ContractTypes.Contains(t) && !subscribed.Contains(MessageCatalog.Describe(t).Topic.Name))
                .Select(t => $"{t.Name} (published on '{MessageCatalog.Describe(t).Topic.Name}')").ToList() is { Count: > 0 } unsubscribed)
            throw new InvalidOperationException(
                $"The rider consumes {string.Join(", ", unsubscribed)} without a topic endpoint on that topic: it would never arrive.");
    }
}
