using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Redelivery;
using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Configures the group's receive endpoints identically on every transport: one message at a time on a keyed
/// topic's queue (per-key order), in-process retry inside redelivery, unknown message types skipped (a group reads a whole
/// topic but may consume only some of its events), and a dead-letter recorder on every error queue.</summary>
public sealed class GroupEndpointConfigurator
{
    readonly GroupTopology _topology;
    readonly MessagingBuilder _messaging;
    readonly MessagingOptions _options;

    internal GroupEndpointConfigurator(GroupTopology topology, MessagingBuilder messaging, MessagingOptions options)
    {
        _topology = topology;
        _messaging = messaging;
        _options = options;
    }

    internal void ConfigureRabbitMq(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator cfg)
    {
        foreach (var queue in _topology.Queues)
        {
            if (queue.Immediate)
                cfg.ReceiveEndpoint(queue.Queue, e => ConfigureRabbitMqQueue(context, (IRabbitMqReceiveEndpointConfigurator)e, queue));
            cfg.ReceiveEndpoint(TopologyNames.ErrorQueue(queue.Queue), e => ConfigureRecorder(context, e, queue));
        }
    }

    internal void ConfigureInMemory(IBusRegistrationContext context, IInMemoryBusFactoryConfigurator cfg)
    {
        foreach (var queue in _topology.Queues)
        {
            cfg.ReceiveEndpoint(queue.Queue, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Bind(queue.Topic, MassTransit.Transports.Fabric.ExchangeType.FanOut, string.Empty);
                e.UseDelayedRedelivery(r => r.Intervals(_options.RedeliveryIntervals));
                ConfigureCommon(context, e, queue);
            });
            cfg.ReceiveEndpoint(TopologyNames.ErrorQueue(queue.Queue), e => ConfigureRecorder(context, e, queue));
        }
    }

    /// <summary>Configures a partition queue subscribed to after start (a standby partition).</summary>
    internal void ConfigureRabbitMqQueue(IRegistrationContext context, IRabbitMqReceiveEndpointConfigurator e, QueueBinding queue)
    {
        e.ConfigureConsumeTopology = false;
        var source = queue.Partition is { } p ? TopologyNames.PartitionExchange(queue.Topic, p) : queue.Topic;
        e.Bind(source, b => b.ExchangeType = "fanout");
        if (queue.Partition is not null)
            e.SingleActiveConsumer = true;
        if (string.Equals(_options.QueueType, "quorum", StringComparison.OrdinalIgnoreCase))
            e.SetQuorumQueue();

        e.UseFilter(new TtlSchedulerFilter(context.GetRequiredService<IBus>().Topology, _options.DelayTiers,
            context.GetRequiredService<TimeProvider>()));
        e.UseScheduledRedelivery(r => r.Intervals(_options.RedeliveryIntervals));
        ConfigureCommon(context, e, queue);
    }

    internal IReadOnlyList<QueueBinding> StandbyQueues => _topology.Queues.Where(q => !q.Immediate).ToList();

    void ConfigureCommon(IRegistrationContext context, IReceiveEndpointConfigurator e, QueueBinding queue)
    {
        var keyed = queue.Partition is not null || IsKeyedTopic(queue.Topic);
        e.PublishFaults = false;
        e.PrefetchCount = keyed ? 1 : 32;
        e.ConcurrentMessageLimit = keyed ? 1 : 8;
        e.DiscardSkippedMessages();
        e.UseMessageRetry(r => r.Intervals(_options.RetryIntervals));
        foreach (var subscription in _messaging.Subscriptions.Where(s => s.Topic == queue.Topic))
            subscription.Configure(e, context);
    }

    static bool IsKeyedTopic(string topic) => ECommerce.Contracts.Topology.TopicCatalog.Get(topic).IsKeyed;

    static void ConfigureRecorder(IRegistrationContext context, IReceiveEndpointConfigurator e, QueueBinding queue)
    {
        var scopes = context.GetRequiredService<IServiceScopeFactory>();
        e.ConfigureConsumeTopology = false;
        e.PublishFaults = false;
        e.PrefetchCount = 16;
        // Nothing consumes here: every message takes the dead-letter path (or the error path, if it cannot even be read)
        // and is stored instead of being moved on.
        e.ConfigureDeadLetter(x => x.UseFilter(new DeadLetterRecordFilter<ReceiveContext>(scopes, queue.Queue)));
        e.ConfigureError(x => x.UseFilter(new DeadLetterRecordFilter<ExceptionReceiveContext>(scopes, queue.Queue)));
    }
}
