using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Redelivery;
using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;
using MassTransit.Configuration;
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
            cfg.ReceiveEndpoint(TopologyNames.ErrorQueue(queue.Queue), e =>
            {
                // MassTransit declares a queue's _error queue with the queue's own arguments (single-active-consumer, quorum)
                // when it first moves a message there; the recorder must declare it identically, or whichever of the two
                // declarations comes second is refused (PRECONDITION_FAILED) and the faulted message is never recorded.
                ApplyQueueArguments((IRabbitMqReceiveEndpointConfigurator)e, queue);
                ConfigureRecorder(context, e, queue);
            });
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
                e.UseDelayedRedelivery(r =>
                {
                    r.Intervals(_options.RedeliveryIntervals);
                    r.ReplaceMessageId = false;
                });
                ConfigureCommon(context, e, queue);
            });
            cfg.ReceiveEndpoint(TopologyNames.ErrorQueue(queue.Queue), e => ConfigureRecorder(context, e, queue));
        }
    }

    /// <summary>Configures a partition queue subscribed to after start (a standby partition).</summary>
    internal void ConfigureRabbitMqQueue(IRegistrationContext context, IRabbitMqReceiveEndpointConfigurator e, QueueBinding queue)
    {
        e.ConfigureConsumeTopology = false;
        // A group ConsumerGroups lists is fed by the provisioner's type router; binding its queue to the whole partition here
        // as well would deliver it every type again. Any other group (a test's, a tool's) reads the whole partition.
        if (!ConsumerGroups.All.ContainsKey(queue.Group))
        {
            var source = queue.Partition is { } p ? TopologyNames.PartitionExchange(queue.Topic, p) : queue.Topic;
            e.Bind(source, b => b.ExchangeType = "fanout");
        }

        ApplyQueueArguments(e, queue);

        // Before the message-type router: scheduled redelivery reads the scheduler from the consume context outside the
        // in-process retry, and a payload added inside the retry's scope would not be visible to it there.
        e.AddPrePipeSpecification(new FilterPipeSpecification<ConsumeContext>(
            new TtlSchedulerFilter(_options.DelayTiers, context.GetRequiredService<TimeProvider>())));
        e.UseScheduledRedelivery(r =>
        {
            r.Intervals(_options.RedeliveryIntervals);
            // MassTransit's default gives each redelivery a new message id. A redelivery is the same message: the inbox must
            // recognise it (the broker may also redeliver the original if its ack is lost), and a dead letter must carry the
            // id its producer gave it so that a re-drive is deduplicated and can be traced.
            // (The endpoint-wide overload only types its callback as a retry configurator; the object is a redelivery one.)
            if (r is IRedeliveryConfigurator redelivery)
                redelivery.ReplaceMessageId = false;
        });
        ConfigureCommon(context, e, queue);
    }

    void ApplyQueueArguments(IRabbitMqReceiveEndpointConfigurator e, QueueBinding queue)
    {
        if (queue.Partition is not null)
            e.SingleActiveConsumer = true;
        if (string.Equals(_options.QueueType, "quorum", StringComparison.OrdinalIgnoreCase))
            e.SetQuorumQueue();
    }

    internal IReadOnlyList<QueueBinding> StandbyQueues => _topology.Queues.Where(q => !q.Immediate).ToList();

    void ConfigureCommon(IRegistrationContext context, IReceiveEndpointConfigurator e, QueueBinding queue)
    {
        var keyed = queue.Partition is not null || IsKeyedTopic(queue.Topic);
        e.PublishFaults = false;
        // A keyed queue is consumed one message at a time, in order; prefetching more than one only saves the broker round
        // trip between a message's ack and the next delivery (order holds: the prefetched messages wait their turn).
        e.PrefetchCount = keyed ? _options.KeyedPrefetchCount : 32;
        e.ConcurrentMessageLimit = keyed ? 1 : 8;
        e.DiscardSkippedMessages();
        e.UseMessageRetry(r =>
        {
            r.Handle<Exception>(TransientFailures.IsTransient);
            r.Intervals(_options.RetryIntervals);
        });
        foreach (var subscription in _messaging.Subscriptions.Where(s => s.Topic == queue.Topic))
            subscription.Configure(e, context);
    }

    static bool IsKeyedTopic(string topic) => TopicCatalog.Get(topic).IsKeyed;

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
